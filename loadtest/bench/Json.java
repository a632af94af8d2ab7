package bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON for this program: writing maps and lists, reading flat string fields. */
final class Json {
  /** Parses what {@link #write} writes (objects, arrays, strings, numbers, booleans, null). */
  static Object parse(String text) {
    int[] pos = {0};
    return value(text, pos);
  }

  private static void ws(String t, int[] p) {
    while (p[0] < t.length() && Character.isWhitespace(t.charAt(p[0]))) {
      p[0]++;
    }
  }

  private static Object value(String t, int[] p) {
    ws(t, p);
    return switch (t.charAt(p[0])) {
      case '{' -> object(t, p);
      case '[' -> array(t, p);
      case '"' -> string(t, p);
      default -> literal(t, p);
    };
  }

  private static Map<String, Object> object(String t, int[] p) {
    Map<String, Object> m = new LinkedHashMap<>();
    p[0]++;
    ws(t, p);
    if (t.charAt(p[0]) == '}') {
      p[0]++;
      return m;
    }
    while (true) {
      ws(t, p);
      String k = (String) value(t, p);
      ws(t, p);
      p[0]++; // ':'
      m.put(k, value(t, p));
      ws(t, p);
      if (t.charAt(p[0]++) == '}') {
        return m;
      }
    }
  }

  private static List<Object> array(String t, int[] p) {
    List<Object> l = new ArrayList<>();
    p[0]++;
    ws(t, p);
    if (t.charAt(p[0]) == ']') {
      p[0]++;
      return l;
    }
    while (true) {
      l.add(value(t, p));
      ws(t, p);
      if (t.charAt(p[0]++) == ']') {
        return l;
      }
    }
  }

  private static String string(String t, int[] p) {
    StringBuilder sb = new StringBuilder();
    p[0]++;
    while (true) {
      char ch = t.charAt(p[0]++);
      if (ch == '"') {
        return sb.toString();
      }
      if (ch == '\\') {
        char e = t.charAt(p[0]++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 'u' -> {
            sb.append((char) Integer.parseInt(t.substring(p[0], p[0] + 4), 16));
            p[0] += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(ch);
      }
    }
  }

  private static Object literal(String t, int[] p) {
    int start = p[0];
    while (p[0] < t.length() && ",}] \n\r\t".indexOf(t.charAt(p[0])) < 0) {
      p[0]++;
    }
    String tok = t.substring(start, p[0]);
    return switch (tok) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      case "null" -> null;
      default ->
          tok.contains(".") || tok.contains("e") || tok.contains("E")
              ? (Object) Double.parseDouble(tok)
              : (Object) Long.parseLong(tok);
    };
  }

  static String str(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " in " + json);
    }
    return m.group(1);
  }

  static String raw(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*([^,}]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " in " + json);
    }
    return m.group(1).trim();
  }

  static String write(Object o) {
    StringBuilder sb = new StringBuilder();
    write(sb, o, "");
    return sb.append('\n').toString();
  }

  static void write(StringBuilder sb, Object o, String indent) {
    if (o instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(indent).append("  ");
        string(sb, e.getKey().toString());
        sb.append(": ");
        write(sb, e.getValue(), indent + "  ");
        sb.append(++i < m.size() ? ",\n" : "\n");
      }
      sb.append(indent).append('}');
    } else if (o instanceof List<?> l) {
      boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
      if (flat) {
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
          write(sb, l.get(i), indent);
          if (i + 1 < l.size()) {
            sb.append(", ");
          }
        }
        sb.append(']');
        return;
      }
      sb.append("[\n");
      for (int i = 0; i < l.size(); i++) {
        sb.append(indent).append("  ");
        write(sb, l.get(i), indent + "  ");
        sb.append(i + 1 < l.size() ? ",\n" : "\n");
      }
      sb.append(indent).append(']');
    } else if (o == null) {
      sb.append("null");
    } else if (o instanceof Number || o instanceof Boolean) {
      sb.append(o);
    } else {
      string(sb, o.toString());
    }
  }

  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
