package dev.tokenservice.local.template;

/** One ScheduleV2 event of a function, its expression and Input resolved. */
public record ScheduledEvent(FunctionDefinition function, String eventName, String expression, String input) {
}
