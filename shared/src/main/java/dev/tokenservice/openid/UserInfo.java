package dev.tokenservice.openid;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import java.util.Date;
import java.util.List;

/**
 * GET/POST /oauth2/userinfo (OpenID Connect Core §5.3): who the access token's user is, and what DocSpace's
 * userinfo tells about the token itself. There is no user directory: the claims are those of the verified,
 * live access token (its sub equals the ID token's).
 */
public final class UserInfo {

    private UserInfo() {
    }

    /** The caller's claims; 403 insufficient_scope unless the token was granted openid. */
    public static ObjectNode of(Caller caller) {
        caller.requireAnyScope(OpenIdScopes.OPENID);
        JWTClaimsSet token = caller.claims();
        ObjectNode info = Json.object().put("sub", caller.subject());
        List<String> audience = token.getAudience();
        if (audience.size() == 1) {
            info.put("aud", audience.get(0));
        } else if (!audience.isEmpty()) {
            audience.forEach(info.putArray("aud")::add);
        }
        info.put("scope", String.join(" ", ScopeStrings.split(claim(token, "scope"))));
        info.put("iss", token.getIssuer());
        seconds(info, "iat", token.getIssueTime());
        seconds(info, "exp", token.getExpirationTime());
        seconds(info, "nbf", token.getNotBeforeTime());
        info.put("jti", token.getJWTID());
        info.put("cid", caller.clientId());
        // The person's standard claims that the token's scopes release (Core §5.3.2, §5.4), as the session gave them.
        UserClaims.fromJson(caller.userClaims()).releasedBy(List.copyOf(caller.scopes()))
                .forEach((name, value) -> info.set(name, Json.MAPPER.valueToTree(value)));
        if (claim(token, "tid") != null) {
            info.put("tid", claim(token, "tid"));
        } else if (token.getClaim("tid") instanceof Number tenant) {
            info.put("tid", tenant.longValue());
        }
        return info;
    }

    private static void seconds(ObjectNode info, String name, Date time) {
        if (time != null) {
            info.put(name, time.toInstant().getEpochSecond());
        }
    }

    private static String claim(JWTClaimsSet token, String name) {
        return token.getClaim(name) instanceof String value ? value : null;
    }
}
