package dev.outpost.hub.releases;

import dev.outpost.hub.api.RequestBinder;
import dev.outpost.hub.api.Validation;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.release.TemplateException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Checks a release before it enters the catalogue, so a bad one fails here and not in a customer's
 * cluster: names, parameters, and manifests that parse as Kubernetes objects once rendered.
 */
public final class ReleaseValidator {
    /** Longest version, in characters. */
    public static final int VERSION_MAX_CHARS = 100;
    static final Pattern VERSION = Pattern.compile(
            "v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    /** Problems listed per request at most, so a huge bad template gets a bounded answer. */
    static final int MAX_PROBLEMS_LISTED = 50;
    /**
     * Largest manifests in UTF-8 bytes, as they travel: a quarter of the message limit, which leaves
     * the rest for parameters (at most 200 values of 4096 characters).
     */
    public static final int MAX_MANIFESTS_BYTES = GrpcLimits.MAX_MESSAGE_BYTES / 4;

    private ReleaseValidator() {
    }

    /** Records every problem of the release in {@code v}. */
    public static void validate(Validation v, String serviceName, String version, String manifests,
                                Map<String, String> defaults) {
        v.dnsLabel("serviceName", serviceName);
        v.matches("version", version, VERSION, VERSION_MAX_CHARS, "a semantic version such as 1.2.3");
        checkParameters(v, "defaultParameters", defaults);
        if (manifests == null || manifests.isBlank()) {
            v.error("manifests", "is required");
        } else if (manifests.length() > GrpcLimits.MAX_MANIFESTS_CHARS) {
            v.error("manifests", "must be at most " + GrpcLimits.MAX_MANIFESTS_CHARS + " characters");
        } else if (manifests.getBytes(StandardCharsets.UTF_8).length > MAX_MANIFESTS_BYTES) {
            v.error("manifests", "must be at most " + MAX_MANIFESTS_BYTES + " bytes in UTF-8");
        } else {
            checkManifests(v, manifests);
        }
    }

    /**
     * Records every problem of user-set parameters (deployment parameters, a release's defaults) under
     * {@code field}: too many, and each bad name or value at its own pointer ("/parameters/replicas").
     */
    public static void checkParameters(Validation v, String field, Map<String, String> parameters) {
        if (parameters.size() > Parameters.MAX_COUNT) {
            v.error(field, "must have at most " + Parameters.MAX_COUNT + " entries (has " + parameters.size() + ")");
            return;
        }
        String pointer = field.startsWith("/") ? field : RequestBinder.pointer("", field);
        parameters.forEach((name, value) -> {
            try {
                Parameters.checkUserParameters(Collections.singletonMap(name, value));
            } catch (TemplateException e) {
                v.error(RequestBinder.pointer(pointer, name), e.getMessage());
            }
        });
    }

    private static void checkManifests(Validation v, String manifests) {
        checkRendered(v, "manifests", ManifestTemplate.withStandInValues(manifests));
    }

    /**
     * Records in {@code v}, under {@code field}, every reason the rendered text is not a list of
     * Kubernetes objects, each with its document number, line and column. Each document is parsed
     * on its own, so a syntax error in one does not hide the problems of the next.
     */
    public static void checkRendered(Validation v, String field, String rendered) {
        int nonEmpty = 0;
        int problems = 0;
        for (ManifestTemplate.Document document : ManifestTemplate.documents(rendered)) {
            DocumentCheck check = check(document);
            if (check.empty()) {
                continue; // e.g. after a trailing "---"
            }
            nonEmpty++;
            if (check.problem() != null && ++problems <= MAX_PROBLEMS_LISTED) {
                v.error(field, check.problem());
            }
        }
        if (problems > MAX_PROBLEMS_LISTED) {
            v.error(field, (problems - MAX_PROBLEMS_LISTED) + " more documents have problems (only the first "
                    + MAX_PROBLEMS_LISTED + " are listed)");
        }
        if (nonEmpty == 0) {
            v.error(field, "manifests must contain at least one Kubernetes object");
        }
    }

    /**
     * One document's verdict: empty (only comments, or nothing after its "---"), or what is wrong
     * with it ("document N, line L, column C: ..."), null if nothing.
     */
    private record DocumentCheck(boolean empty, String problem) {
        static final DocumentCheck EMPTY = new DocumentCheck(true, null);

        static DocumentCheck of(String problem) {
            return new DocumentCheck(false, problem);
        }
    }

    private static DocumentCheck check(ManifestTemplate.Document document) {
        Yaml yaml = new Yaml(new LocatingConstructor());
        try {
            List<Node> nodes = new ArrayList<>();
            // Several only when the document holds a "..." end marker followed by more YAML.
            yaml.composeAll(new StringReader(document.text())).forEach(nodes::add);
            // Composing checks the syntax; constructing the values catches bad tags such as "!!int abc" too.
            yaml.loadAll(document.text()).forEach(value -> { });
            List<Node> objects = nodes.stream().filter(node -> !isNull(node)).toList();
            if (objects.isEmpty()) {
                return DocumentCheck.EMPTY;
            }
            return DocumentCheck.of(objects.stream().map(node -> objectProblem(document, node))
                    .filter(Objects::nonNull).findFirst().orElse(null));
        } catch (MarkedYAMLException e) {
            String problem = e.getProblem() != null ? e.getProblem() : firstLine(e.getMessage());
            return DocumentCheck.of(at(document, e.getProblemMark()) + problem + context(document, e));
        } catch (YAMLException e) {
            return DocumentCheck.of("document " + document.number() + ", line " + document.firstLine() + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /**
     * SnakeYAML's safe constructor, except that a value it cannot construct (e.g. "!!int abc", which
     * it answers with a bare NumberFormatException) becomes an error pointing at that value.
     */
    private static final class LocatingConstructor extends SafeConstructor {
        LocatingConstructor() {
            super(new LoaderOptions());
        }

        @Override
        protected Object constructObjectNoCheck(Node node) {
            try {
                return super.constructObjectNoCheck(node);
            } catch (YAMLException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new UnreadableValueException(node);
            }
        }
    }

    /** A value whose tag says what it is, while its text cannot be that (see {@link LocatingConstructor}). */
    private static final class UnreadableValueException extends MarkedYAMLException {
        private static final long serialVersionUID = 1L;

        UnreadableValueException(Node node) {
            super(null, null, "the value cannot be read as " + shortTag(node.getTag()), node.getStartMark());
        }

        private static String shortTag(Tag tag) {
            String value = tag.getValue();
            return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
    }

    /** What keeps a document from being a Kubernetes object, pointing at the node at fault, or null. */
    static String objectProblem(ManifestTemplate.Document document, Node doc) {
        if (!(doc instanceof MappingNode object)) {
            return at(document, doc.getStartMark()) + "must be a mapping (a Kubernetes object)";
        }
        for (String key : new String[] {"apiVersion", "kind"}) {
            Node value = value(object, key);
            if (value == null) {
                return at(document, object.getStartMark()) + "needs '" + key + "'";
            }
            if (!isText(value)) {
                return at(document, value.getStartMark()) + "'" + key + "' must be a non-empty string";
            }
        }
        Node metadata = value(object, "metadata");
        Node name = metadata instanceof MappingNode m ? value(m, "name") : null;
        if (name == null) {
            return at(document, (metadata != null ? metadata : object).getStartMark()) + "needs 'metadata.name'";
        }
        if (!isText(name)) {
            return at(document, name.getStartMark()) + "'metadata.name' must be a non-empty string";
        }
        return null;
    }

    /** A non-blank string as YAML reads it: "1" and "true" are, 1 and true are a number and a boolean. */
    private static boolean isText(Node node) {
        return node instanceof ScalarNode scalar && Tag.STR.equals(scalar.getTag()) && !scalar.getValue().isBlank();
    }

    private static Node value(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    /** "document N, line L, column C: " with the line counted in the whole template. */
    private static String at(ManifestTemplate.Document document, Mark mark) {
        if (mark == null) {
            return "document " + document.number() + ", line " + document.firstLine() + ": ";
        }
        return "document " + document.number() + ", line " + (document.firstLine() + mark.getLine())
                + ", column " + (mark.getColumn() + 1) + ": ";
    }

    /** Where the construct the parser was reading began, when it says so ("while parsing a block mapping"). */
    private static String context(ManifestTemplate.Document document, MarkedYAMLException e) {
        if (e.getContext() == null || e.getContextMark() == null) {
            return "";
        }
        Mark mark = e.getContextMark();
        return " (" + e.getContext() + " that starts at line " + (document.firstLine() + mark.getLine())
                + ", column " + (mark.getColumn() + 1) + ")";
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
