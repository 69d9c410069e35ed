// A Flink MiniCluster (every TaskManager in this one JVM) with the REST API on a given port and Flink's
// built-in profiler enabled: test/via-rest.test.ts submits the sample orders job to it and profiles it, to prove
// that `--via rest` profiles one TaskManager per JVM. Usage: MiniClusterOrders REST_PORT TASK_MANAGERS
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

public class MiniClusterOrders {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int taskManagers = Integer.parseInt(args[1]);
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, port);
        conf.set(RestOptions.ENABLE_PROFILER, true);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(taskManagers)
                .setNumSlotsPerTaskManager(1)
                .build());
        cluster.start();
        System.out.println("REST " + cluster.getRestAddress().get());
        System.out.flush();
        Thread.currentThread().join();
    }
}
