package io.brook.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The source scan behind every module's {@code LayeringTest}: it reads each {@code .java} file
 * under a root, passes over comment lines (comments may name what code may not do), and reports
 * the lines that break a rule. The modules state only their rules:
 *
 * <pre>{@code
 * LayeringRules.forSources(Path.of("src/main/java"))
 *         .forbid("import io." + "grpc", "gRPC enters through internal.grpc", "io/brook/broker/internal/grpc/")
 *         .forbid("Thread." + "sleep", "nothing sleeps")
 *         .check();
 * }</pre>
 *
 * <p>Split the forbidden names in the rules, as above, so that repository-wide searches for them
 * find only real uses. Allowed places are prefixes of a source's path relative to the root, with
 * {@code /} as separator: a directory ({@code "io/brook/x/internal/grpc/"}) or one file
 * ({@code "io/brook/x/internal/NioFileIo.java"}).
 *
 * <p>{@link #check()} fails with one line per violation, {@code relative/path:line uses X (why)}
 * or {@code relative/path:line imports X (why)}; it also fails when the root holds no Java source,
 * so that a wrong working directory cannot make it pass on nothing.
 */
public final class LayeringRules {
    private record Rule(String forbidden, Predicate<String> matcher, String why, List<String> allowedUnder) {
        boolean breaks(String line, String relative) {
            return matcher.test(line) && allowedUnder.stream().noneMatch(relative::startsWith);
        }
    }

    private record ImportAllowList(List<String> prefixes, String why) {}

    private final Path root;
    private final List<Rule> rules = new ArrayList<>();
    private ImportAllowList imports;

    private LayeringRules(Path root) {
        this.root = root;
    }

    /** The rules for the Java sources under {@code root} (usually {@code src/main/java}). */
    public static LayeringRules forSources(Path root) {
        return new LayeringRules(root);
    }

    /**
     * No line may contain {@code text}, except in sources under one of {@code allowedUnder}
     * (none: nowhere).
     */
    public LayeringRules forbid(String text, String why, String... allowedUnder) {
        rules.add(new Rule(text, line -> line.contains(text), why, List.of(allowedUnder)));
        return this;
    }

    /**
     * Like {@link #forbid}, but {@code word} counts only where no letter, digit or underscore
     * stands right before it: {@code "Files."} then matches {@code Files.size(p)}, not
     * {@code SimulatedFiles.size(p)}.
     */
    public LayeringRules forbidWord(String word, String why, String... allowedUnder) {
        Pattern pattern = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(word));
        rules.add(new Rule(word, line -> pattern.matcher(line).find(), why, List.of(allowedUnder)));
        return this;
    }

    /**
     * Every import (static ones too) must start with one of {@code prefixes}, for instance
     * {@code "java."}, {@code "io.brook.api.records."} or a single class such as
     * {@code "io.brook.api.v1.ErrorCode;"}.
     */
    public LayeringRules allowOnlyImports(String why, String... prefixes) {
        if (imports != null) {
            throw new IllegalStateException("allowOnlyImports is given once, with every allowed prefix");
        }
        imports = new ImportAllowList(List.of(prefixes), why);
        return this;
    }

    /** The violations, in the order of the sorted paths and then of the lines. */
    public List<String> violations() {
        List<String> violations = new ArrayList<>();
        for (Path source : sources()) {
            String relative = root.relativize(source).toString().replace('\\', '/');
            List<String> lines = read(source);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                    continue; // comments may name what code may not do
                }
                String where = relative + ":" + (i + 1);
                if (imports != null && line.startsWith("import ")) {
                    String imported = line.substring("import ".length()).replace("static ", "");
                    if (imports.prefixes().stream().noneMatch(imported::startsWith)) {
                        violations.add(where + " imports " + imported + " (" + imports.why() + ")");
                    }
                }
                for (Rule rule : rules) {
                    if (rule.breaks(line, relative)) {
                        violations.add(where + " uses " + rule.forbidden() + " (" + rule.why() + ")");
                    }
                }
            }
        }
        return violations;
    }

    /** Fails, listing every violation, unless the sources keep the rules. */
    public void check() {
        List<String> violations = violations();
        if (!violations.isEmpty()) {
            throw new AssertionError(violations.size() + " layering violation(s) under " + root + ":\n  "
                    + String.join("\n  ", violations));
        }
    }

    private List<Path> sources() {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(root)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the sources under " + root.toAbsolutePath(), e);
        }
        if (sources.isEmpty()) {
            throw new AssertionError("no Java sources under " + root.toAbsolutePath()
                    + ": the layering check would pass on nothing");
        }
        return sources;
    }

    private static List<String> read(Path source) {
        try {
            return Files.readAllLines(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }
}
