package com.example.orders;

import org.apache.flink.api.common.functions.MapFunction;

/** A named class rather than a lambda so Flink sees the String result type without hints. */
public class EncodeOrder implements MapFunction<Order, String> {
    @Override
    public String map(Order order) {
        return OrderJsonEncoder.encode(order);
    }
}
