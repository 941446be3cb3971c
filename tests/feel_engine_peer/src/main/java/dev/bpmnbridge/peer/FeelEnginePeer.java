package dev.bpmnbridge.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.camunda.feel.api.EvaluationFailure;
import org.camunda.feel.api.EvaluationResult;
import org.camunda.feel.api.FeelEngineApi;
import org.camunda.feel.api.FeelEngineBuilder;
import org.camunda.feel.syntaxtree.RangeBoundary;
import org.camunda.feel.syntaxtree.Val;
import org.camunda.feel.syntaxtree.ValBoolean;
import org.camunda.feel.syntaxtree.ValContext;
import org.camunda.feel.syntaxtree.ValDate;
import org.camunda.feel.syntaxtree.ValDateTime;
import org.camunda.feel.syntaxtree.ValDayTimeDuration;
import org.camunda.feel.syntaxtree.ValFunction;
import org.camunda.feel.syntaxtree.ValList;
import org.camunda.feel.syntaxtree.ValLocalDateTime;
import org.camunda.feel.syntaxtree.ValLocalTime;
import org.camunda.feel.syntaxtree.ValNull$;
import org.camunda.feel.syntaxtree.ValNumber;
import org.camunda.feel.syntaxtree.ValRange;
import org.camunda.feel.syntaxtree.ValString;
import org.camunda.feel.syntaxtree.ValTime;
import org.camunda.feel.syntaxtree.ValYearMonthDuration;
import org.camunda.feel.syntaxtree.ZonedTime;
import org.camunda.feel.valuemapper.JavaCustomValueMapper;

/**
 * Evaluates FEEL expressions with Camunda's FEEL engine, one JSON line in, one JSON line out.
 *
 * <p>In: {@code {"expression": "...", "variables": {...}}} (variables are JSON; every number is
 * read as a BigDecimal, the way FEEL holds numbers). Out, in the same order:
 * {@code {"result": VALUE, "warnings": [...]}} or {@code {"error": "...", "failure": "TYPE"}}, or
 * {@code {"protocolError": "..."}} for a line that is not a request. VALUE is typed so nothing is
 * lost in JSON: {@code {"type": "number", "value": "0.3"}} (the BigDecimal's text), {@code
 * {"type": "string", "value": ...}}, {@code {"type": "boolean", "value": ...}}, {@code {"type":
 * "null"}}, {@code {"type": "list", "items": [...]}}, {@code {"type": "context", "entries":
 * {...}}}, temporal values with their FEEL type name and canonical ISO text ({@code "date"},
 * {@code "time"}, {@code "date and time"}, {@code "days and time duration"}, {@code "years and
 * months duration"}), {@code {"type": "range", "start": ..., "end": ...}} and {@code {"type":
 * "function"}}. Many expressions per JVM start: the caller keeps the process for a whole session.
 */
public final class FeelEnginePeer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Hands results back as the engine's own {@link Val}, so the peer sees the exact FEEL type. */
  private static final class RawValues extends JavaCustomValueMapper {
    @Override
    public Optional<Val> toValue(Object value, Function<Object, Val> inner) {
      return Optional.empty();
    }

    @Override
    public Optional<Object> unpackValue(Val value, Function<Val, Object> inner) {
      return Optional.of(value);
    }

    @Override
    public int priority() {
      return Integer.MAX_VALUE;
    }
  }

  public static void main(String[] args) throws Exception {
    // Non-ASCII goes out as JSON unicode escapes: a lone surrogate (substring can cut a pair, as
    // Java strings are UTF-16) survives as itself instead of becoming '?' in UTF-8.
    JsonFactory factory = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    ObjectMapper json =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    FeelEngineApi engine = FeelEngineBuilder.forJava().withCustomValueMapper(new RawValues()).build();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out =
        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      ObjectNode answer;
      try {
        answer = evaluate(engine, json.readTree(line));
      } catch (Exception | StackOverflowError e) {
        answer = NODES.objectNode();
        answer.put("protocolError", e.toString());
      }
      out.write(json.writeValueAsString(answer));
      out.write('\n');
      // The caller may wait for this answer before it sends the next request.
      if (!in.ready()) {
        out.flush();
      }
    }
    out.flush();
  }

  private static ObjectNode evaluate(FeelEngineApi engine, JsonNode request) {
    JsonNode expression = request.get("expression");
    if (expression == null || !expression.isTextual()) {
      throw new IllegalArgumentException("request needs a string 'expression'");
    }
    JsonNode variables = request.get("variables");
    Map<String, Object> context = new LinkedHashMap<>();
    if (variables != null && !variables.isNull()) {
      if (!variables.isObject()) {
        throw new IllegalArgumentException("'variables' must be a JSON object");
      }
      variables.fields().forEachRemaining(e -> context.put(e.getKey(), toJava(e.getValue())));
    }
    ObjectNode answer = NODES.objectNode();
    EvaluationResult result;
    try {
      result = engine.evaluateExpression(expression.asText(), context);
    } catch (StackOverflowError e) {
      answer.put("error", "stack overflow in the engine");
      answer.put("failure", "STACK_OVERFLOW");
      return answer;
    }
    if (result.isSuccess()) {
      answer.set("result", describe(result.result()));
      ArrayNode warnings = answer.putArray("warnings");
      Iterator<EvaluationFailure> failures = asJava(result.suppressedFailures().iterator());
      while (failures.hasNext()) {
        EvaluationFailure failure = failures.next();
        warnings.add(failure.failureType() + ": " + failure.failureMessage());
      }
    } else {
      answer.put("error", result.failure().message());
      answer.put("failure", result.failure().getClass().getSimpleName());
    }
    return answer;
  }

  /** JSON to the Java values the engine's Java value mapper reads. */
  private static Object toJava(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return node.isBigDecimal() ? node.decimalValue() : new BigDecimal(node.bigIntegerValue());
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isArray()) {
      List<Object> items = new ArrayList<>();
      node.forEach(item -> items.add(toJava(item)));
      return items;
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> entries.put(e.getKey(), toJava(e.getValue())));
    return entries;
  }

  private static ObjectNode typed(String type) {
    ObjectNode node = NODES.objectNode();
    node.put("type", type);
    return node;
  }

  private static ObjectNode typed(String type, String value) {
    ObjectNode node = typed(type);
    node.put("value", value);
    return node;
  }

  /** A FEEL value as typed JSON (see the class comment). */
  static ObjectNode describe(Object value) {
    if (value == null || value == ValNull$.MODULE$) {
      return typed("null");
    }
    if (value instanceof ValNumber number) {
      return typed("number", number.value().bigDecimal().toString());
    }
    if (value instanceof ValString string) {
      return typed("string", string.value());
    }
    if (value instanceof ValBoolean bool) {
      ObjectNode node = typed("boolean");
      node.put("value", bool.value());
      return node;
    }
    if (value instanceof ValList list) {
      ObjectNode node = typed("list");
      ArrayNode items = node.putArray("items");
      Iterator<Val> it = asJava(list.items().iterator());
      while (it.hasNext()) {
        items.add(describe(it.next()));
      }
      return node;
    }
    if (value instanceof ValContext context) {
      ObjectNode node = typed("context");
      ObjectNode entries = node.putObject("entries");
      Iterator<camundajar.impl.scala.Tuple2<String, Object>> it =
          asJava(context.context().variableProvider().getVariables().iterator());
      while (it.hasNext()) {
        camundajar.impl.scala.Tuple2<String, Object> entry = it.next();
        entries.set(entry._1(), describe(entry._2()));
      }
      return node;
    }
    if (value instanceof ValDate date) {
      return typed("date", date.value().toString());
    }
    if (value instanceof ValLocalTime time) {
      return typed("time", time(time.value()));
    }
    if (value instanceof ValTime time) {
      ZonedTime zoned = time.value();
      String zone =
          zoned.zone().isDefined() ? "@" + zoned.zone().get().getId() : offset(zoned.offset());
      return typed("time", time(zoned.time()) + zone);
    }
    if (value instanceof ValLocalDateTime dateTime) {
      return typed("date and time", dateTime(dateTime.value()));
    }
    if (value instanceof ValDateTime dateTime) {
      ZonedDateTime zoned = dateTime.value();
      String zone =
          zoned.getZone() instanceof ZoneOffset offset
              ? offset(offset)
              : "@" + zoned.getZone().getId();
      return typed("date and time", dateTime(zoned.toLocalDateTime()) + zone);
    }
    if (value instanceof ValDayTimeDuration duration) {
      return typed("days and time duration", duration(duration.value()));
    }
    if (value instanceof ValYearMonthDuration duration) {
      return typed("years and months duration", duration(duration.value()));
    }
    if (value instanceof ValRange range) {
      ObjectNode node = typed("range");
      node.set("start", boundary(range.start()));
      node.set("end", boundary(range.end()));
      return node;
    }
    if (value instanceof ValFunction) {
      return typed("function");
    }
    if (value instanceof Val) {
      return typed("unknown FEEL value " + value.getClass().getSimpleName(), value.toString());
    }
    // A context built from input variables may keep plain Java values.
    return typed("unknown Java value " + value.getClass().getName(), value.toString());
  }

  private static ObjectNode boundary(RangeBoundary boundary) {
    ObjectNode node = NODES.objectNode();
    node.set("value", describe(boundary.value()));
    node.put("closed", boundary.isClosed());
    return node;
  }

  private static String time(LocalTime time) {
    String text = String.format("%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond());
    return text + fraction(time.getNano());
  }

  private static String fraction(int nanos) {
    if (nanos == 0) {
      return "";
    }
    String digits = String.format("%09d", nanos).replaceAll("0+$", "");
    return "." + digits;
  }

  private static String offset(ZoneOffset offset) {
    return offset.getTotalSeconds() == 0 ? "Z" : offset.getId();
  }

  private static String dateTime(LocalDateTime value) {
    LocalDate date = value.toLocalDate();
    return date + "T" + time(value.toLocalTime());
  }

  /** Days, hours, minutes, seconds: {@code P1DT2H3M4.5S}, {@code -PT1S}, {@code PT0S}. */
  private static String duration(Duration duration) {
    String sign = duration.isNegative() ? "-" : "";
    Duration abs = duration.abs();
    long days = abs.toDays();
    long hours = abs.toHoursPart();
    long minutes = abs.toMinutesPart();
    long seconds = abs.toSecondsPart();
    int nanos = abs.toNanosPart();
    StringBuilder text = new StringBuilder(sign).append('P');
    if (days != 0) {
      text.append(days).append('D');
    }
    if (hours != 0 || minutes != 0 || seconds != 0 || nanos != 0 || days == 0) {
      text.append('T');
      if (hours != 0) {
        text.append(hours).append('H');
      }
      if (minutes != 0) {
        text.append(minutes).append('M');
      }
      if (seconds != 0 || nanos != 0 || (hours == 0 && minutes == 0)) {
        text.append(seconds).append(fraction(nanos)).append('S');
      }
    }
    return text.toString();
  }

  /** Years and months, normalised: {@code P1Y2M}, {@code -P3M}, {@code P0M}. */
  private static String duration(Period period) {
    long total = period.toTotalMonths();
    String sign = total < 0 ? "-" : "";
    long abs = Math.abs(total);
    StringBuilder text = new StringBuilder(sign).append('P');
    if (abs / 12 != 0) {
      text.append(abs / 12).append('Y');
    }
    if (abs % 12 != 0 || abs == 0) {
      text.append(abs % 12).append('M');
    }
    return text.toString();
  }

  private static <T> Iterator<T> asJava(camundajar.impl.scala.collection.Iterator<T> it) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        return it.next();
      }
    };
  }
}
