package dev.tokenservice.local.template;

import java.util.Map;

/**
 * One entry of a function's Events, as written. Api events are also read into {@link ApiRoute}s; the other
 * types (ScheduleV2, SQS, ...) are kept here so that a runner for them can be added without re-parsing.
 */
public record EventDefinition(String name, String type, Map<String, Object> properties) {
}
