package dev.tokenservice.consents;

import dev.tokenservice.http.Timestamps;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.storage.Tables;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.Key;

/** What a user has granted a client, read before showing a consent page and written when they approve. */
public final class ConsentStore {

    private final Tables tables;
    private final Clock clock;

    public ConsentStore(Tables tables, Clock clock) {
        this.tables = tables;
        this.clock = clock;
    }

    public Optional<ConsentItem> find(String clientId, String principal) {
        return Optional.ofNullable(tables.of(ConsentSchema.TABLE).getItem(r -> r
                .key(Key.builder().partitionValue(clientId).sortValue(principal).build())
                .consistentRead(true)));
    }

    /** True when an earlier consent already covers every requested scope, so no page is needed. */
    public boolean covers(String clientId, String principal, List<String> scopes) {
        return find(clientId, principal)
                .map(consent -> ScopeStrings.split(consent.getScopes()).containsAll(scopes))
                .orElse(false);
    }

    /** Records the grant, keeping what was granted before (a consent widens, it never silently narrows). */
    public void grant(String clientId, String principal, List<String> scopes) {
        Set<String> granted = new LinkedHashSet<>();
        find(clientId, principal).ifPresent(existing -> granted.addAll(ScopeStrings.split(existing.getScopes())));
        granted.addAll(scopes);
        ConsentItem consent = new ConsentItem();
        consent.setClientId(clientId);
        consent.setPrincipal(principal);
        consent.setScopes(String.join(" ", granted));
        consent.setModifiedAt(Timestamps.format(clock.instant()));
        tables.of(ConsentSchema.TABLE).putItem(consent);
    }
}
