package dev.bpmnbridge.validator;

import io.camunda.zeebe.model.bpmn.Bpmn;
import io.camunda.zeebe.model.bpmn.BpmnModelInstance;
import io.camunda.zeebe.model.bpmn.validation.zeebe.ZeebeDesignTimeValidators;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.camunda.bpm.model.xml.instance.ModelElementInstance;
import org.camunda.bpm.model.xml.validation.ValidationResult;
import org.camunda.bpm.model.xml.validation.ValidationResultType;
import org.camunda.bpm.model.xml.validation.ValidationResults;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Checks BPMN files the way the target engines do, many files per JVM start.
 *
 * <p>Reads requests from stdin, one per line: {@code MODE<TAB>PATH}, where MODE is {@code xsd}
 * (the OMG BPMN 2.0 schema only) or {@code zeebe} (the schema, then Zeebe's own parser and
 * design-time validators). Answers each with one JSON line on stdout: {@code {"path": ...,
 * "schema": [messages], "zeebe": [{"element", "message", "code"}] or null, "warnings": [...]}}.
 * An empty line or end of input stops the program.
 */
public final class BpmnValidatorPeer {

  private BpmnValidatorPeer() {}

  public static void main(final String[] args) throws Exception {
    final Schema schema = loadSchema();
    final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    final BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      final int tab = line.indexOf('\t');
      final String mode = tab < 0 ? "" : line.substring(0, tab);
      final String path = tab < 0 ? line : line.substring(tab + 1);
      out.println(check(schema, mode, path));
    }
  }

  private static Schema loadSchema() throws Exception {
    // The zeebe-bpmn-model jar ships the OMG schema at its root; BPMN20.xsd imports the
    // semantic and DI schemas by relative location, which resolves inside the jar.
    final URL main = Bpmn.class.getClassLoader().getResource("BPMN20.xsd");
    if (main == null) {
      throw new IllegalStateException("BPMN20.xsd not found on the class path");
    }
    final SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    return factory.newSchema(main);
  }

  private static String check(final Schema schema, final String mode, final String path) {
    final List<String> schemaErrors = new ArrayList<>();
    final List<String> zeebeErrors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    if (!mode.equals("xsd") && !mode.equals("zeebe")) {
      schemaErrors.add("unknown mode '" + mode + "' (xsd or zeebe)");
      return answer(path, schemaErrors, null, warnings);
    }
    try {
      final Validator validator = schema.newValidator();
      validator.setErrorHandler(
          new ErrorHandler() {
            @Override
            public void warning(final SAXParseException e) {
              warnings.add(position(e));
            }

            @Override
            public void error(final SAXParseException e) {
              schemaErrors.add(position(e));
            }

            @Override
            public void fatalError(final SAXParseException e) {
              schemaErrors.add(position(e));
            }
          });
      validator.validate(new StreamSource(new File(path)));
    } catch (final Exception e) {
      if (schemaErrors.isEmpty()) {
        schemaErrors.add(String.valueOf(e.getMessage()));
      }
    }
    if (!mode.equals("zeebe")) {
      return answer(path, schemaErrors, null, warnings);
    }
    try (InputStream stream = new FileInputStream(path)) {
      final BpmnModelInstance model = Bpmn.readModelFromStream(stream);
      final ValidationResults results = model.validate(ZeebeDesignTimeValidators.VALIDATORS);
      for (final Map.Entry<ModelElementInstance, List<ValidationResult>> entry :
          results.getResults().entrySet()) {
        for (final ValidationResult result : entry.getValue()) {
          final String text =
              "{\"element\":"
                  + json(describe(entry.getKey()))
                  + ",\"code\":"
                  + result.getCode()
                  + ",\"message\":"
                  + json(result.getMessage())
                  + "}";
          if (result.getType() == ValidationResultType.ERROR) {
            zeebeErrors.add(text);
          } else {
            warnings.add(describe(entry.getKey()) + ": " + result.getMessage());
          }
        }
      }
    } catch (final Exception e) {
      zeebeErrors.add(
          "{\"element\":null,\"code\":-1,\"message\":" + json("parse: " + e.getMessage()) + "}");
    }
    return answer(path, schemaErrors, zeebeErrors, warnings);
  }

  /** The element's id, or its type and the id of the nearest ancestor that has one. */
  private static String describe(final ModelElementInstance element) {
    final String type = element.getElementType().getTypeName();
    ModelElementInstance current = element;
    while (current != null) {
      final String id = current.getAttributeValue("id");
      if (id != null && !id.isEmpty()) {
        return current == element ? id : type + "@" + id;
      }
      current = current.getParentElement();
    }
    return type;
  }

  private static String position(final SAXParseException e) {
    return "line " + e.getLineNumber() + ": " + e.getMessage();
  }

  private static String answer(
      final String path,
      final List<String> schemaErrors,
      final List<String> zeebeErrors,
      final List<String> warnings) {
    final StringBuilder out = new StringBuilder("{\"path\":").append(json(path));
    out.append(",\"schema\":").append(list(schemaErrors, true));
    out.append(",\"zeebe\":").append(zeebeErrors == null ? "null" : list(zeebeErrors, false));
    out.append(",\"warnings\":").append(list(warnings, true));
    return out.append('}').toString();
  }

  private static String list(final List<String> items, final boolean quote) {
    final StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? "" : ",").append(quote ? json(items.get(i)) : items.get(i));
    }
    return out.append(']').toString();
  }

  private static String json(final String text) {
    if (text == null) {
      return "null";
    }
    final StringBuilder out = new StringBuilder("\"");
    for (final char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
