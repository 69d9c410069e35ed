package com.example.pipeline;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * The pipeline's bottleneck ("Score"): a deliberately heavy numeric loop per event, so this operator is
 * 100 % busy while Parse and the source wait on it (back-pressured). Its hot method is {@link #scoreRisk}.
 */
public class ScoreStage implements MapFunction<Event, String> {
    /** Rounds per event: sets how much heavier Score is than Parse. */
    private final int rounds;

    public ScoreStage(int rounds) {
        this.rounds = rounds;
    }

    @Override
    public String map(Event event) {
        return Long.toString(scoreRisk(event, rounds));
    }

    /** Mixes the event's values round after round: the Score operator's hot method. */
    static long scoreRisk(Event event, int rounds) {
        long h = event.id * 0x9E3779B97F4A7C15L ^ event.account;
        double acc = 0;
        for (int r = 0; r < rounds; r++) {
            for (double v : event.values) {
                acc += Math.sqrt(v * (r + 1) + (h & 0xff));
                h = Long.rotateLeft(h ^ Double.doubleToRawLongBits(acc), 17) * 0xBF58476D1CE4E5B9L;
            }
            // A call per round: a loop without calls can be compiled so that samples inside it are
            // attributed to the wrong inlined method; a call site always names scoreRisk as its caller.
            h ^= Long.toString(h, 36).hashCode();
        }
        return h ^ (long) acc;
    }
}
