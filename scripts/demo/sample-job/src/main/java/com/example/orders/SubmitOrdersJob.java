package com.example.orders;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.File;

/**
 * Submits the orders job to a running session cluster over REST and prints "JobID &lt;id&gt;".
 *
 * <p>Usage: {@code SubmitOrdersJob --rest-port N --parallelism N [--host H] [--jar PATH]}. The jar
 * defaults to the one this class was loaded from.
 */
public final class SubmitOrdersJob {
    public static final String JOB_NAME = "orders-json";

    private SubmitOrdersJob() {}

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int restPort = 8081;
        int parallelism = 1;
        String jar = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = value;
                case "--rest-port" -> restPort = Integer.parseInt(value);
                case "--parallelism" -> parallelism = Integer.parseInt(value);
                case "--jar" -> jar = value;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (jar == null) {
            jar = new File(SubmitOrdersJob.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getPath();
        }

        StreamExecutionEnvironment env =
            StreamExecutionEnvironment.createRemoteEnvironment(host, restPort, parallelism, jar);
        // Chained operators would otherwise deep-copy every order between source and encoder,
        // and that copying would compete with the encoder for the top of the profile.
        env.getConfig().enableObjectReuse();

        DataGeneratorSource<Order> source = new DataGeneratorSource<>(
            new OrderGenerator(), Long.MAX_VALUE, RateLimiterStrategy.noOp(), TypeInformation.of(Order.class));
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "Orders")
            .uid("orders-source")
            .map(new EncodeOrder())
            .name("Encode JSON")
            .uid("encode-json")
            .sinkTo(new CountingDiscardSink())
            .name("Discard")
            .uid("discard");

        JobClient client = env.executeAsync(JOB_NAME);
        System.out.println("JobID " + client.getJobID());
        System.out.flush();
        // The REST client keeps non-daemon threads; the job lives on in the cluster.
        System.exit(0);
    }
}
