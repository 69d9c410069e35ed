package com.example.pipeline;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * The pipeline's lesser operator ("Parse"): real work, about a fifth of {@link ScoreStage}'s, so it is
 * busy but back-pressured by Score. Its hot method, {@link #parseFields}, is named so that a profile
 * sliced to Score can be checked to hold none of it.
 */
public class ParseStage implements MapFunction<Long, Event> {
    @Override
    public Event map(Long index) {
        return parseFields(render(index));
    }

    /** A CSV line as an upstream system would send it. */
    static String render(long i) {
        StringBuilder line = new StringBuilder(96);
        line.append(i).append(',').append(1000 + i % 977);
        for (int k = 0; k < 8; k++) {
            line.append(',').append((i * 31 + k * 7) % 10_000).append('.').append(k);
        }
        return line.toString();
    }

    /** Splits the line by hand and parses each number: the Parse operator's hot method. */
    static Event parseFields(String line) {
        Event e = new Event();
        e.values = new double[8];
        int field = 0;
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == ',') {
                String text = line.substring(start, i);
                if (field == 0) {
                    e.id = Long.parseLong(text);
                } else if (field == 1) {
                    e.account = Long.parseLong(text);
                } else {
                    e.values[field - 2] = Double.parseDouble(text);
                }
                field++;
                start = i + 1;
            }
        }
        return e;
    }
}
