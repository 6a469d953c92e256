package dev.tokenservice.local.template;

/** A template or option the local runner cannot work with; its message is meant for the user as is. */
public class TemplateException extends RuntimeException {

    public TemplateException(String message) {
        super(message, null, false, false);
    }
}
