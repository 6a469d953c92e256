package dev.tokenservice.layering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of shared's packages, read from the source: every reference to another package of this project (an
 * import or a qualified name) is an edge. The packages form no cycle, so each can be read, tested and changed from
 * the packages below it; and storage knows no domain type, so the tables can change without the domain and back.
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "dev.tokenservice.";
    /** A reference to a type of this project: its package, then the type's capitalised name. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.tokenservice\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
    private static final Pattern PACKAGE = Pattern.compile("^package dev\\.tokenservice\\.([a-z0-9.]+);", Pattern.MULTILINE);
    /** What storage may build on: configuration and plumbing, no package that names a domain thing. */
    private static final Set<String> STORAGE_MAY_USE = Set.of("config", "concurrent");

    /** package -> packages it refers to -> the files that do. */
    private static final Map<String, Map<String, Set<String>>> GRAPH = new TreeMap<>();

    @BeforeAll
    static void readSources() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(LayeringTest::read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher declared = PACKAGE.matcher(text);
        if (!declared.find()) {
            return;
        }
        String from = declared.group(1);
        Map<String, Set<String>> edges = GRAPH.computeIfAbsent(from, name -> new TreeMap<>());
        Matcher reference = REFERENCE.matcher(text.substring(declared.end()));
        while (reference.find()) {
            String to = reference.group(1);
            if (!to.equals(from)) {
                edges.computeIfAbsent(to, name -> new TreeSet<>()).add(file.getFileName().toString());
            }
        }
    }

    @Test
    void theSourcesWereRead() {
        // GIVEN the source tree WHEN it is read THEN the packages every other check relies on are there
        assertTrue(GRAPH.keySet().containsAll(Set.of("storage", "http", "wiring")), GRAPH.keySet().toString());
    }

    @Test
    void noPackageCycle() {
        // GIVEN the package graph WHEN its strongly connected components are found THEN each is a single package
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnectedComponents()) {
            if (component.size() > 1) {
                StringBuilder edges = new StringBuilder();
                for (String from : component) {
                    GRAPH.get(from).forEach((to, files) -> {
                        if (component.contains(to)) {
                            edges.append("\n    ").append(from).append(" -> ").append(to).append(" in ").append(files);
                        }
                    });
                }
                cycles.add(component + edges.toString());
            }
        }
        assertEquals(List.of(), cycles, "packages that import each other, directly or around a loop:\n"
                + String.join("\n", cycles));
    }

    @Test
    void storageKnowsNoDomainType() {
        // GIVEN storage's references WHEN compared with what it may use THEN there is nothing else
        Map<String, Set<String>> forbidden = new TreeMap<>(GRAPH.getOrDefault("storage", Map.of()));
        forbidden.keySet().removeAll(STORAGE_MAY_USE);
        assertEquals(Map.of(), forbidden, "storage refers to these packages (package -> files); the schema of an "
                + "item belongs beside the item");
    }

    /** Tarjan's algorithm, iterative over the small graph of packages. */
    private static List<Set<String>> stronglyConnectedComponents() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        for (String start : GRAPH.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, index, low, stack, onStack, components);
            }
        }
        return components;
    }

    private static void connect(String node, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
            Set<String> onStack, List<Set<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : GRAPH.getOrDefault(node, Map.of()).keySet()) {
            if (!index.containsKey(next)) {
                connect(next, index, low, stack, onStack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            components.add(component);
        }
    }
}
