package com.example.pipeline;

import org.apache.flink.streaming.api.functions.source.legacy.RichParallelSourceFunction;

/**
 * A legacy SourceFunction (still in Flink 2.x, moved to the internal ".legacy" package): its loop runs in
 * the "Legacy Source Thread - ..." of its task, and Flink reports no busy time for it (NaN).
 */
public class LegacyEventSource extends RichParallelSourceFunction<Long> {
    private volatile boolean running = true;

    @Override
    public void run(SourceContext<Long> ctx) {
        int subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        long i = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        while (running) {
            synchronized (ctx.getCheckpointLock()) {
                ctx.collect(i);
            }
            i += subtasks;
        }
    }

    @Override
    public void cancel() {
        running = false;
    }
}
