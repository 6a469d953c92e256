package dev.tokenservice.local;

import dev.tokenservice.local.failure.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of the local invoke, `sam local invoke`'s options where they mean the same here.
 *
 * @param event the event file, {@link #STDIN} for standard input, or null for no event ({@code {}})
 * @param envVars a SAM environment-variables file ({"Parameters": {...}, "FunctionId": {...}}), or null
 */
record InvokeOptions(String functionId, Path event, Path envVars, Map<String, String> parameters, Path template,
        Path dataDirectory) {

    static final Path STDIN = Path.of("-");

    static final String USAGE = """
            usage: invoke FUNCTION_ID [-e FILE|-] [--env-vars FILE] [--parameter-overrides Key=Value ...]
                          [--template FILE] [--data DIR]
              FUNCTION_ID                     the function's logical id in template.yaml, e.g. IssueTokenFunction
              -e, --event FILE                the event JSON (events/FUNCTION_ID.json fits); - reads standard input;
                                              without it the event is {}
              -n, --env-vars FILE             environment variables in SAM's JSON format: {"Parameters": {...}} for
                                              every function, {"FUNCTION_ID": {...}} for one; only variables the
                                              template declares are taken, as sam local invoke does
              --parameter-overrides Key=Value template parameter overrides, as sam's (also ParameterKey=K,ParameterValue=V);
                                              several pairs in one argument or several arguments
              -t, --template FILE             the SAM template (default: template.yaml here or in a parent)
              --data DIR                      the local runner's data folder (default .local-data next to the template)
            The response JSON goes to standard output, logs to standard error. Exit status: 0 when the handler
            returned, 1 when it threw, failed its init or timed out, 2 when the command could not run it.""";

    static InvokeOptions parse(List<String> args, Path workingDirectory) {
        String functionId = null;
        Path event = null;
        Path envVars = null;
        Path template = null;
        Path data = null;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                throw new StartupException(USAGE);
            }
            if (!option.startsWith("-")) {
                if (functionId != null) {
                    throw new StartupException("one function per invoke: " + functionId + " and " + option + "\n" + USAGE);
                }
                functionId = option;
                continue;
            }
            if (option.equals("--parameter-overrides") || option.equals("--parameter")) {
                List<String> values = new ArrayList<>();
                while (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                    values.add(args.get(++i));
                }
                if (values.isEmpty()) {
                    throw new StartupException(option + " needs Key=Value pairs\n" + USAGE);
                }
                values.forEach(value -> parameters.putAll(parameterOverrides(value)));
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new StartupException(option + " needs a value\n" + USAGE);
            }
            String value = args.get(++i);
            switch (option) {
                case "-e", "--event" -> event = value.equals("-") ? STDIN : workingDirectory.resolve(value);
                case "-n", "--env-vars" -> envVars = workingDirectory.resolve(value);
                case "-t", "--template" -> template = workingDirectory.resolve(value);
                case "--data" -> data = workingDirectory.resolve(value);
                default -> throw new StartupException("unknown option " + option + "\n" + USAGE);
            }
        }
        if (functionId == null) {
            throw new StartupException("name the function to invoke (its logical id in the template)\n" + USAGE);
        }
        if (template == null) {
            template = LocalOptions.findTemplate(workingDirectory);
        }
        if (!Files.isRegularFile(template)) {
            throw new StartupException("no template at " + template);
        }
        template = template.toAbsolutePath().normalize();
        if (data == null) {
            data = template.getParent().resolve(".local-data");
        }
        return new InvokeOptions(functionId, event, envVars, Map.copyOf(parameters), template,
                data.toAbsolutePath().normalize());
    }

    /**
     * One argument of sam's --parameter-overrides: space-separated {@code Key=Value} pairs (a value may be
     * quoted to hold spaces) or {@code ParameterKey=Key,ParameterValue=Value}.
     */
    static Map<String, String> parameterOverrides(String argument) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : splitOutsideQuotes(argument)) {
            String key;
            String value;
            if (pair.startsWith("ParameterKey=")) {
                int separator = pair.indexOf(",ParameterValue=");
                if (separator < 0) {
                    throw new StartupException("--parameter-overrides: " + pair + " needs ,ParameterValue=");
                }
                key = pair.substring("ParameterKey=".length(), separator);
                value = pair.substring(separator + ",ParameterValue=".length());
            } else {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new StartupException("--parameter-overrides takes Key=Value, not " + pair);
                }
                key = pair.substring(0, eq);
                value = pair.substring(eq + 1);
            }
            pairs.put(key, unquote(value));
        }
        return pairs;
    }

    private static List<String> splitOutsideQuotes(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
                current.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                current.append(c);
            } else if (Character.isWhitespace(c)) {
                if (current.length() > 0) {
                    parts.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            parts.add(current.toString());
        }
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
