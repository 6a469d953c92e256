package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.oauth.authorization.LoginHandOff;
import dev.tokenservice.oauth.device.DeviceAuthorizations;
import dev.tokenservice.oauth.device.UserCodes;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.pages.DevicePages;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What GET and POST /oauth2/device share: the device grant's verification page, behind the same sign-in boundary as
 * /oauth2/authorize (only the browser's session credential signs a person in; nobody signed in goes to the login
 * front end, and comes back here with the code). GET shows the code form; POST takes a typed code to the
 * confirmation, or the confirmation's answer to the outcome. Each method has its own handler class, so that each
 * function's AWS calls are its own (IamPolicyTest).
 */
final class DevicePageRoute {

    private final Services services;
    private final DeviceAuthorizations devices;

    DevicePageRoute(Services services) {
        this.services = services;
        this.devices = services.deviceAuthorizations();
        services.sessions();
    }

    APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event) {
        return BrowserRoute.answer(name, event, services, "the code or the answer", request -> {
            Map<String, List<String>> parameters = request.parameters();
            Optional<String> typed = single(parameters, "user_code");
            SessionCheck browser = request.browser();
            if (browser.session().isEmpty()) {
                Optional<String> signIn = request.posted() ? Optional.empty() : LoginHandOff.signInForDevicePage(
                        services.settings().loginUrl(), request.issuer(), typed.flatMap(UserCodes::canonical));
                return signIn.map(ApiResponse::redirect)
                        .orElseGet(() -> AuthorizationPages.signInRequired(browser.refusal()));
            }
            Session user = browser.session().get();
            if (!request.posted()) {
                return DevicePages.codeEntry(200, typed.flatMap(UserCodes::canonical).orElse(""),
                        user.displayName(), null);
            }
            if (parameters.containsKey("ticket")) {
                boolean approved = devices.decide(BrowserRoute.single(parameters, "ticket", "confirmation form"),
                        BrowserRoute.single(parameters, "decision", "confirmation form"), user);
                return DevicePages.answered(approved);
            }
            if (typed.isEmpty()) {
                return DevicePages.codeEntry(400, "", user.displayName(), "Enter the code your device shows.");
            }
            return confirmation(typed.get(), user);
        });
    }

    private APIGatewayProxyResponseEvent confirmation(String typed, Session user) {
        try {
            return devices.confirmation(typed, user)
                    .map(shown -> DevicePages.confirmation(shown, user.displayName()))
                    .orElseGet(() -> DevicePages.codeEntry(400, typed, user.displayName(),
                            "That code is not valid, has expired or was already used. Check the code on your device."));
        } catch (ApiError slowedDown) {
            if (slowedDown.status() != 429) {
                throw slowedDown;
            }
            return DevicePages.tooManyEntries(user.displayName(), slowedDown.headers());
        }
    }

    private static Optional<String> single(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() != 1) {
            throw AuthorizationProblem.shownToUser("the form must send " + name + " at most once");
        }
        return values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
