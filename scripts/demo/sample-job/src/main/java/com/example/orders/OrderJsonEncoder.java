package com.example.orders;

/**
 * Hand-written JSON encoder for orders: the job's deliberate CPU bottleneck.
 *
 * <p>It escapes string by string, character by character, appending each one separately and
 * writing every non-ASCII character as a \\uXXXX sequence. That is the kind of code a profiler
 * should point at ({@link #encode} and {@link #escape}); a real fix would be a streaming JSON
 * library or pre-encoded constant strings.
 */
public final class OrderJsonEncoder {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private OrderJsonEncoder() {}

    public static String encode(Order order) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        name(out, "orderId", true).append(order.orderId);
        name(out, "customerId", false).append(order.customerId);
        name(out, "customerName", false);
        escape(out, order.customerName);
        name(out, "customerEmail", false);
        escape(out, order.customerEmail);
        name(out, "shippingAddress", false);
        escape(out, order.shippingAddress);
        name(out, "currency", false);
        escape(out, order.currency);
        name(out, "createdAtMillis", false).append(order.createdAtMillis);
        name(out, "note", false);
        escape(out, order.note);
        name(out, "items", false).append('[');
        long totalCents = 0;
        for (int i = 0; i < order.items.length; i++) {
            Order.LineItem item = order.items[i];
            if (i > 0) {
                out.append(',');
            }
            out.append('{');
            name(out, "sku", true);
            escape(out, item.sku);
            name(out, "title", false);
            escape(out, item.title);
            name(out, "quantity", false).append(item.quantity);
            name(out, "unitPrice", false);
            money(out, item.unitPriceCents);
            out.append('}');
            totalCents += item.unitPriceCents * item.quantity;
        }
        out.append(']');
        name(out, "total", false);
        money(out, totalCents);
        out.append('}');
        return out.toString();
    }

    /** Appends s as a quoted JSON string. */
    static void escape(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append('\\').append('"');
                case '\\' -> out.append('\\').append('\\');
                case '\n' -> out.append('\\').append('n');
                case '\r' -> out.append('\\').append('r');
                case '\t' -> out.append('\\').append('t');
                case '\b' -> out.append('\\').append('b');
                case '\f' -> out.append('\\').append('f');
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append('\\').append('u')
                            .append(HEX[(c >> 12) & 0xf])
                            .append(HEX[(c >> 8) & 0xf])
                            .append(HEX[(c >> 4) & 0xf])
                            .append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static StringBuilder name(StringBuilder out, String name, boolean first) {
        if (!first) {
            out.append(',');
        }
        escape(out, name);
        return out.append(':');
    }

    private static void money(StringBuilder out, long cents) {
        out.append(cents / 100).append('.');
        long rest = cents % 100;
        if (rest < 10) {
            out.append('0');
        }
        out.append(rest);
    }
}
