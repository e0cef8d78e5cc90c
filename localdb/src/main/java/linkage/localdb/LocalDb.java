package linkage.localdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserAggregationFunction;
import org.neo4j.procedure.UserFunction;

/**
 * Starts Neo4j Community embedded, with Bolt on 127.0.0.1 and the open-source GDS procedures registered.
 *
 * <p>GDS's extension factories are found on the classpath by ServiceLoader when the database starts; its
 * procedure classes are listed in each module's META-INF/services files and registered here, so no plugins
 * directory is needed. When the database answers {@code gds.version()} the launcher writes a JSON ready file
 * (pid, port, versions) that the Python side waits for; it shuts down cleanly on SIGTERM.
 *
 * <p>Usage: {@code java ... linkage.localdb.LocalDb HOME PORT PAGECACHE}
 */
public final class LocalDb {
    private static final String SERVICES = "META-INF/services/";

    private LocalDb() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LocalDb HOME PORT PAGECACHE");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCache = ByteUnit.parse(args[2]);
        Path readyFile = home.resolve("localdb.ready.json");
        Files.deleteIfExists(readyFile);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home.resolve("neo4j"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"))
                .setConfig(GraphDatabaseSettings.procedure_allowlist, List.of("*"))
                // Bolt's event loops otherwise wait a quiet period of 5 s each on shutdown, 10 s for every stop
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException ignored) {
                // the Python side also treats a dead pid as stopped
            }
            dbms.shutdown();
            stopped.countDown();
        }));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        int registered = registerGdsProcedures((GraphDatabaseAPI) db);
        String gdsVersion = db.executeTransactionally(
                "RETURN gds.version() AS v", java.util.Map.of(), r -> (String) r.next().get("v"));
        String neo4jVersion = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                java.util.Map.of(), r -> (String) r.next().get("v"));

        String ready = String.format(
                "{\"pid\": %d, \"port\": %d, \"neo4j_version\": \"%s\", \"gds_version\": \"%s\", \"procedures\": %d}%n",
                ProcessHandle.current().pid(), port, neo4jVersion, gdsVersion, registered);
        Path tmp = home.resolve("localdb.ready.json.tmp");
        Files.writeString(tmp, ready, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.print("ready " + ready);
        System.out.flush();
        stopped.await();
    }

    /** Registers every class that GDS lists as a procedure or function provider; returns how many. */
    private static int registerGdsProcedures(GraphDatabaseAPI db) throws Exception {
        GlobalProcedures procedures = db.getDependencyResolver().resolveDependency(GlobalProcedures.class);
        Set<String> classNames = new LinkedHashSet<>();
        classNames.addAll(listedServices(Procedure.class.getName()));
        classNames.addAll(listedServices(UserFunction.class.getName()));
        int count = 0;
        for (String className : classNames) {
            Class<?> type = Class.forName(className);
            boolean proc = false;
            boolean func = false;
            boolean aggregation = false;
            for (Method method : type.getDeclaredMethods()) {
                proc |= method.isAnnotationPresent(Procedure.class);
                func |= method.isAnnotationPresent(UserFunction.class);
                aggregation |= method.isAnnotationPresent(UserAggregationFunction.class);
            }
            if (proc) {
                procedures.registerProcedure(type);
            }
            if (func) {
                procedures.registerFunction(type);
            }
            if (aggregation) {
                procedures.registerAggregationFunction(type);
            }
            count += (proc || func || aggregation) ? 1 : 0;
        }
        return count;
    }

    private static List<String> listedServices(String service) throws IOException {
        List<String> names = new ArrayList<>();
        Enumeration<URL> files = LocalDb.class.getClassLoader().getResources(SERVICES + service);
        while (files.hasMoreElements()) {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(files.nextElement().openStream(), StandardCharsets.UTF_8))) {
                reader.lines()
                        .map(line -> line.replaceAll("#.*", "").trim())
                        .filter(line -> !line.isEmpty())
                        .forEach(names::add);
            }
        }
        return names;
    }
}
