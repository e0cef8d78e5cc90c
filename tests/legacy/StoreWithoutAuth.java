import java.nio.file.Path;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A state folder as linkage made it before its database asked for a password: Neo4j embedded with its defaults
 * (no authentication, no initial password: the system database's user neo4j keeps the default one), holding one
 * node. Run by the tests with {@code java -cp LIB/* StoreWithoutAuth.java HOME}.
 */
public final class StoreWithoutAuth {
    private StoreWithoutAuth() {}

    public static void main(String[] args) {
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(Path.of(args[0]).resolve("neo4j"))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                .build();
        try {
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
                    .executeTransactionally("CREATE (:Legacy {name: 'kept'})", Map.of());
        } finally {
            dbms.shutdown();
        }
    }
}
