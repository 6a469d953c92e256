package dev.tokenservice.consents;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.ClientViews;
import dev.tokenservice.http.Json;

/** The DocSpace views of consents, each consent with the public face of its client. */
public final class ConsentViews {

    private ConsentViews() {
    }

    /** PageableModificationResponse of ConsentResponse (scopes space-joined, client null when gone). */
    public static ObjectNode consents(Consents.Page page) {
        ObjectNode view = Json.object();
        ArrayNode data = view.putArray("data");
        page.consents().forEach(listed -> {
            ObjectNode consent = data.addObject();
            consent.put("registered_client_id", listed.consent().getClientId());
            consent.put("scopes", listed.consent().getScopes());
            consent.put("modified_at", listed.consent().getModifiedAt());
            consent.set("client", listed.client().map(ClientViews::info).orElse(null));
        });
        view.put("last_modified_on", page.lastModifiedOn().orElse(null));
        view.put("limit", page.limit());
        return view;
    }
}
