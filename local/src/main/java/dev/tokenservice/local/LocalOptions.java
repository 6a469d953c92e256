package dev.tokenservice.local;

import dev.tokenservice.local.failure.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of the local runner.
 *
 * @param port 0 picks a free port
 * @param parameters template parameter overrides, like `sam local --parameter-overrides`
 */
public record LocalOptions(String host, int port, Path dataDirectory, Path template, Map<String, String> parameters,
        java.time.Duration scheduleEvery) {

    /** Without --schedule-every: every scheduled function runs on its template schedule. */
    public LocalOptions(String host, int port, Path dataDirectory, Path template, Map<String, String> parameters) {
        this(host, port, dataDirectory, template, parameters, null);
    }

    public static final String USAGE = """
            usage: LocalServer [--port N] [--host ADDRESS] [--data DIR] [--template FILE] [--parameter Key=Value]...
              --port N              port to listen on (default 3000; 0 picks a free port)
              --host ADDRESS        address to bind (default 127.0.0.1)
              --data DIR            where tables, keys and the pepper persist (default .local-data next to the template)
              --template FILE       the SAM template (default: template.yaml in this directory or a parent)
              --parameter Key=Value overrides a template parameter's default; repeatable
              --schedule-every N    run every scheduled function every N seconds instead of on its schedule
            or:    LocalServer invoke FUNCTION_ID [-e FILE|-] ...  invokes one function once (invoke --help)""";

    public static LocalOptions parse(List<String> args, Path workingDirectory) {
        String host = "127.0.0.1";
        int port = 3000;
        Path data = null;
        Path template = null;
        Map<String, String> parameters = new LinkedHashMap<>();
        java.time.Duration scheduleEvery = null;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                throw new StartupException(USAGE);
            }
            if (i + 1 >= args.size()) {
                throw new StartupException(option + " needs a value\n" + USAGE);
            }
            String value = args.get(++i);
            switch (option) {
                case "--port" -> port = port(value);
                case "--host" -> host = value;
                case "--data" -> data = workingDirectory.resolve(value);
                case "--template" -> template = workingDirectory.resolve(value);
                case "--schedule-every" -> scheduleEvery = java.time.Duration.ofSeconds(seconds(value));
                case "--parameter" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new StartupException("--parameter takes Key=Value, not " + value);
                    }
                    parameters.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw new StartupException("unknown option " + option + "\n" + USAGE);
            }
        }
        if (template == null) {
            template = findTemplate(workingDirectory);
        }
        if (!Files.isRegularFile(template)) {
            throw new StartupException("no template at " + template);
        }
        template = template.toAbsolutePath().normalize();
        // Next to the template rather than in the working directory, so that starting from the repository
        // root or from local/ finds the same tables, keys and admin.
        if (data == null) {
            data = template.getParent().resolve(".local-data");
        }
        return new LocalOptions(host, port, data.toAbsolutePath().normalize(), template, Map.copyOf(parameters),
                scheduleEvery);
    }

    static Path findTemplate(Path from) {
        for (Path dir = from.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new StartupException("no template.yaml in " + from.toAbsolutePath() + " or its parents; pass --template");
    }

    private static long seconds(String value) {
        try {
            long seconds = Long.parseLong(value);
            if (seconds < 1) {
                throw new NumberFormatException();
            }
            return seconds;
        } catch (NumberFormatException e) {
            throw new StartupException("--schedule-every takes a whole number of seconds (1 or more), not " + value);
        }
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new StartupException("--port takes a number from 0 to 65535, not " + value);
        }
    }
}
