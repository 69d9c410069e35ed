package com.example.pipeline;

/** A parsed event: a public-field POJO so Flink's PojoSerializer moves it between unchained tasks. */
public class Event {
    public long id;
    public long account;
    public double[] values;

    public Event() {}
}
