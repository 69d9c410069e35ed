package com.example.legacy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.source.RichParallelSourceFunction;

import java.io.File;

/**
 * The pipeline job of scripts/demo/sample-job (Source: Events -> Parse -> Score -> Sink) written against
 * Flink 1.20's APIs, where SourceFunction is still public. Only used to record a real Flink 1.20's REST
 * answers; its work is a smaller copy of the 2.x job's. Arguments as SubmitPipelineJob's:
 * --rest-port N --parallelism N [--chained] [--legacy-source]; prints "JobID &lt;id&gt;".
 */
public final class PipelineJob120 {
    private PipelineJob120() {}

    public static void main(String[] args) throws Exception {
        int restPort = 8081;
        int parallelism = 1;
        boolean chained = false;
        boolean legacySource = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rest-port" -> restPort = Integer.parseInt(args[++i]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
                case "--chained" -> chained = true;
                case "--legacy-source" -> legacySource = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String jar = new File(PipelineJob120.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, parallelism, jar);
        if (!chained) {
            env.disableOperatorChaining();
        }
        DataStream<Long> source = legacySource
            ? env.addSource(new LegacySource(), "Legacy Events", Types.LONG)
            : env.fromSource(new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.noOp(), Types.LONG),
                WatermarkStrategy.noWatermarks(), "Events");
        SingleOutputStreamOperator<double[]> parsed = source.map(new Parse()).name("Parse");
        if (chained) {
            parsed = parsed.startNewChain();
        }
        var sink = parsed.map(new Score()).name("Score").sinkTo(new DiscardingSink<>()).name("Sink");
        if (chained) {
            sink.disableChaining();
        }
        JobClient client = env.executeAsync("pipeline");
        System.out.println("JobID " + client.getJobID());
        System.out.flush();
        System.exit(0);
    }

    /** Lesser work: formats and parses a line of numbers. */
    public static final class Parse implements MapFunction<Long, double[]> {
        @Override
        public double[] map(Long i) {
            double[] values = new double[8];
            for (int k = 0; k < 8; k++) {
                values[k] = Double.parseDouble(((i * 31 + k * 7) % 10_000) + "." + k);
            }
            return values;
        }
    }

    /** The bottleneck: a heavy numeric loop per record. */
    public static final class Score implements MapFunction<double[], String> {
        @Override
        public String map(double[] values) {
            long h = 17;
            double acc = 0;
            for (int r = 0; r < 40; r++) {
                for (double v : values) {
                    acc += Math.sqrt(v * (r + 1) + (h & 0xff));
                    h = Long.rotateLeft(h ^ Double.doubleToRawLongBits(acc), 17) * 0xBF58476D1CE4E5B9L;
                }
                h ^= Long.toString(h, 36).hashCode();
            }
            return Long.toString(h);
        }
    }

    /** A legacy SourceFunction: Flink reports no busy time for its task. */
    public static final class LegacySource extends RichParallelSourceFunction<Long> {
        private volatile boolean running = true;

        @Override
        public void run(SourceContext<Long> ctx) {
            long i = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            int n = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            while (running) {
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(i);
                }
                i += n;
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }
}
