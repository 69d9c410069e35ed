package com.example.pipeline;

import com.example.orders.CountingDiscardSink;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.File;
import java.util.Map;

/**
 * Submits the "pipeline" job and prints "JobID &lt;id&gt;": Source: Events → Parse (lesser work,
 * {@link ParseStage#parseFields}) → Score (the bottleneck, {@link ScoreStage#scoreRisk}) → [Pass k …] → Sink.
 *
 * <p>Usage: {@code SubmitPipelineJob --rest-port N --parallelism N [--host H] [--jar PATH] [--chained]
 * [--legacy-source] [--pass-maps K] [--rate R] [--rounds N]}. Without --chained no operator is chained,
 * so each runs in a task thread of its own; with --chained Parse and Score share one task ("Parse -> Score").
 * --pass-maps adds K unchained identity maps after Score (a job with many vertices); --rate limits the
 * source to R records per second per job (0: unlimited). --mini-cluster K runs the job in this JVM instead,
 * in a MiniCluster of K TaskManagers with its REST API on 127.0.0.1:--rest-port, until the JVM is killed.
 */
public final class SubmitPipelineJob {
    public static final String JOB_NAME = "pipeline";

    private SubmitPipelineJob() {}

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int restPort = 8081;
        int parallelism = 1;
        String jar = null;
        boolean chained = false;
        boolean legacySource = false;
        int passMaps = 0;
        double rate = 0;
        int rounds = 40;
        int miniCluster = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = value;
                case "--rest-port" -> restPort = Integer.parseInt(value);
                case "--parallelism" -> parallelism = Integer.parseInt(value);
                case "--jar" -> jar = value;
                case "--pass-maps" -> passMaps = Integer.parseInt(value);
                case "--rate" -> rate = Double.parseDouble(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--mini-cluster" -> miniCluster = Integer.parseInt(value);
                case "--chained" -> {
                    chained = true;
                    continue;
                }
                case "--legacy-source" -> {
                    legacySource = true;
                    continue;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (jar == null) {
            jar = new File(SubmitPipelineJob.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getPath();
        }

        StreamExecutionEnvironment env;
        if (miniCluster > 0) {
            // Every TaskManager in this one JVM, as a job started from an IDE runs.
            Configuration conf = Configuration.fromMap(Map.of(
                "rest.address", host, "rest.bind-address", host, "rest.port", String.valueOf(restPort),
                "taskmanager.numberOfTaskSlots", String.valueOf(Math.max(1, (parallelism + miniCluster - 1) / miniCluster))));
            conf.set(org.apache.flink.configuration.TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS, miniCluster);
            env = StreamExecutionEnvironment.createLocalEnvironment(conf);
            env.setParallelism(parallelism);
        } else {
            env = StreamExecutionEnvironment.createRemoteEnvironment(host, restPort, parallelism, jar);
        }
        if (!chained) {
            env.disableOperatorChaining();
        }

        DataStream<Long> source;
        if (legacySource) {
            // Flink 2.x keeps addSource for the internal legacy SourceFunction; it cannot be rate limited here.
            source = env.addSource(new LegacyEventSource(), "Legacy Events", Types.LONG).uid("legacy-events");
        } else {
            RateLimiterStrategy<?> limiter = rate > 0 ? RateLimiterStrategy.perSecond(rate) : RateLimiterStrategy.noOp();
            DataGeneratorSource<Long> generator = new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, limiter, Types.LONG);
            source = env.fromSource(generator, WatermarkStrategy.noWatermarks(), "Events").uid("events");
        }

        SingleOutputStreamOperator<Event> parsed = source.map(new ParseStage()).name("Parse").uid("parse");
        if (chained) {
            // Source | Parse -> Score | Sink: one chain of the two working operators, named "Parse -> Score".
            parsed = parsed.startNewChain();
        }
        DataStream<String> scored = parsed.map(new ScoreStage(rounds)).name("Score").uid("score");
        for (int k = 1; k <= passMaps; k++) {
            scored = scored.map(new Pass()).name("Pass " + k).uid("pass-" + k);
        }
        var sink = scored.sinkTo(new CountingDiscardSink()).name("Sink").uid("sink");
        if (chained) {
            sink.disableChaining();
        }

        if (miniCluster > 0) {
            System.out.println("MiniCluster REST http://" + host + ":" + restPort);
            System.out.flush();
            env.execute(JOB_NAME);
            return;
        }
        JobClient client = env.executeAsync(JOB_NAME);
        System.out.println("JobID " + client.getJobID());
        System.out.flush();
        // The REST client keeps non-daemon threads; the job lives on in the cluster.
        System.exit(0);
    }

    /** An identity map: a vertex that does almost nothing. */
    public static final class Pass implements MapFunction<String, String> {
        @Override
        public String map(String value) {
            return value;
        }
    }
}
