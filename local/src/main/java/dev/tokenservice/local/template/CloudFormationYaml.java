package dev.tokenservice.local.template;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation YAML template into plain maps and lists. The short-form intrinsics (!Ref, !Sub,
 * ...) are tags plain YAML does not know; they become their long JSON form ({"Ref": ...}, {"Fn::Sub": ...}),
 * so that everything downstream handles one form only.
 */
public final class CloudFormationYaml {

    /** Every short form that maps to "Fn::" + its name; !Ref, !Condition and !GetAtt are special. */
    private static final List<String> FUNCTIONS = List.of(
            "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "If", "ImportValue", "Join", "Length",
            "Not", "Or", "Select", "Split", "Sub", "ToJsonString", "Transform");

    private CloudFormationYaml() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        // CloudFormation rejects duplicate keys; silently keeping the last one would hide a mistake.
        options.setAllowDuplicateKeys(false);
        Object root;
        try {
            root = new Yaml(new IntrinsicConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new TemplateException(source + " is not valid CloudFormation YAML: " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new TemplateException(source + " is not a YAML mapping");
        }
        return (Map<String, Object>) root;
    }

    private static final class IntrinsicConstructor extends SafeConstructor {

        IntrinsicConstructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new LongForm("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new LongForm("Condition"));
            yamlConstructors.put(new Tag("!GetAtt"), new GetAttLongForm());
            for (String function : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + function), new LongForm("Fn::" + function));
            }
        }

        Object contentOf(Node node) {
            if (node instanceof ScalarNode scalar) {
                return constructScalar(scalar);
            }
            if (node instanceof SequenceNode sequence) {
                return constructSequence(sequence);
            }
            return constructMapping((MappingNode) node);
        }

        private final class LongForm extends AbstractConstruct {
            private final String key;

            LongForm(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                return Map.of(key, contentOf(node));
            }
        }

        /** "!GetAtt Resource.Attribute" is the one short form whose scalar becomes a list. */
        private final class GetAttLongForm extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                Object content = contentOf(node);
                if (content instanceof String text) {
                    int dot = text.indexOf('.');
                    if (dot <= 0) {
                        throw new TemplateException("!GetAtt " + text + " names no attribute");
                    }
                    content = List.of(text.substring(0, dot), text.substring(dot + 1));
                }
                return Map.of("Fn::GetAtt", content);
            }
        }
    }
}
