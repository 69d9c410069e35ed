package com.example.orders;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;

/**
 * Drops every JSON document but counts it, so throughput can be read over REST as the operator
 * metrics {@value #RECORDS} (counter), {@value #BYTES} (counter) and {@value #RATE} (meter).
 */
public class CountingDiscardSink implements Sink<String> {
    public static final String RECORDS = "ordersDiscarded";
    public static final String BYTES = "jsonCharsDiscarded";
    public static final String RATE = "ordersDiscardedPerSecond";

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        Counter records = context.metricGroup().counter(RECORDS);
        Counter chars = context.metricGroup().counter(BYTES);
        context.metricGroup().meter(RATE, new MeterView(records));
        return new SinkWriter<>() {
            @Override
            public void write(String json, Context ctx) {
                records.inc();
                // Consuming the length keeps the JIT from dropping the encoder's work as dead code.
                chars.inc(json.length());
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
