package linkage.localdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserAggregationFunction;
import org.neo4j.procedure.UserFunction;

import picocli.CommandLine;

/**
 * Starts Neo4j Community embedded, with Bolt on 127.0.0.1 and the open-source GDS procedures registered.
 *
 * <p>Locked down: authentication is on, for the user {@code neo4j} with the password in {@code
 * HOME/localdb/password} (the Python side generates it, mode 0600). Before the server starts, that password goes
 * to Neo4j's initial-user file, as {@code neo4j-admin dbms set-initial-password} does: a new store starts with it,
 * and so does a store created before authentication was turned on (Neo4j applies the file while {@code neo4j} still
 * has the default password), with no moment at which the default password is accepted over Bolt. Once started, the
 * password is set again through the embedded API, so a replaced password file wins. {@code LOAD CSV} cannot read
 * local files, and its import folder is an empty folder of the store.
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
        Path neo4jHome = home.resolve("neo4j");
        String password = Files.readString(home.resolve("localdb").resolve("password"), StandardCharsets.UTF_8).strip();
        setInitialPassword(neo4jHome, password);
        Path importDir = Files.createDirectories(neo4jHome.resolve("import"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(neo4jHome)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
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

        setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        int registered = registerGdsProcedures((GraphDatabaseAPI) db);
        String gdsVersion = db.executeTransactionally(
                "RETURN gds.version() AS v", Map.of(), r -> (String) r.next().get("v"));
        String neo4jVersion = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                Map.of(), r -> (String) r.next().get("v"));

        String ready = String.format(
                "{\"pid\": %d, \"port\": %d, \"auth\": true, \"neo4j_version\": \"%s\", \"gds_version\": \"%s\", \"procedures\": %d}%n",
                ProcessHandle.current().pid(), port, neo4jVersion, gdsVersion, registered);
        Path tmp = home.resolve("localdb.ready.json.tmp");
        Files.writeString(tmp, ready, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.print("ready " + ready);
        System.out.flush();
        stopped.await();
    }

    /** Writes the initial-user file ({@code data/dbms/auth.ini}) through neo4j-admin's own command. */
    private static void setInitialPassword(Path neo4jHome, String password) {
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        ExecutionContext context = new ExecutionContext(neo4jHome, neo4jHome.resolve("conf"), silent, silent,
                new org.neo4j.io.fs.DefaultFileSystemAbstraction());
        int exit = new CommandLine(new SetInitialPasswordCommand(context)).execute(password);
        if (exit != 0) {
            throw new IllegalStateException("neo4j-admin dbms set-initial-password failed with exit code " + exit);
        }
    }

    /** Sets {@code neo4j}'s password (a no-op, refused by Neo4j as unchanged, when it is the same already). */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (QueryExecutionException e) {
            if (!e.getMessage().contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
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
