package linkage.localdb;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.neo4j.batchimport.api.BatchImporter;
import org.neo4j.batchimport.api.Configuration;
import org.neo4j.batchimport.api.IndexConfig;
import org.neo4j.batchimport.api.InputIterable;
import org.neo4j.batchimport.api.InputIterator;
import org.neo4j.batchimport.api.Monitor;
import org.neo4j.batchimport.api.input.Collector;
import org.neo4j.batchimport.api.input.IdType;
import org.neo4j.batchimport.api.input.Input;
import org.neo4j.batchimport.api.input.InputChunk;
import org.neo4j.batchimport.api.input.InputEntityVisitor;
import org.neo4j.batchimport.api.input.PropertySizeCalculator;
import org.neo4j.batchimport.api.input.ReadableGroups;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.internal.batchimport.DefaultAdditionalIds;
import org.neo4j.internal.batchimport.input.Groups;
import org.neo4j.io.ByteUnit;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.io.layout.DatabaseLayout;
import org.neo4j.io.layout.Neo4jLayout;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.io.pagecache.tracing.PageCacheTracer;
import org.neo4j.kernel.impl.index.schema.IndexImporterFactoryImpl;
import org.neo4j.kernel.impl.scheduler.JobSchedulerFactory;
import org.neo4j.kernel.impl.transaction.log.files.TransactionLogInitializer;
import org.neo4j.logging.internal.NullLogService;
import org.neo4j.memory.EmptyMemoryTracker;
import org.neo4j.scheduler.JobScheduler;
import org.neo4j.storageengine.api.StorageEngineFactory;
import org.neo4j.values.storable.DateTimeValue;

/**
 * Writes a new store for the local database from typed column files, through Neo4j's batch importer.
 *
 * <p>neo4j-admin's CSV importer parses every value from text: a datetime through a regular expression, a
 * string array by splitting, an id through a hash map from strings to node ids. Here the Python side has done
 * that work already (node ids are actual ids, assigned by it; times are epoch milliseconds), so each value
 * reaches the importer as the object it stores, and the importer only writes records.
 *
 * <p>The manifest is a tab-separated text file. A {@code part} line opens one file of nodes or relationships:
 * {@code part nodes LABEL ROWS} or {@code part relationships TYPE ROWS}; the {@code column} lines after it
 * name its columns: {@code column NAME KIND FILE}, where NAME is {@code :id}, {@code :start}, {@code :end} or a
 * property key, and KIND is {@code long} (little-endian int64, null as Long.MIN_VALUE), {@code datetime} (UTC
 * epoch milliseconds, the same), {@code boolean} (a byte), {@code string} or {@code string[]} (FILE.offsets:
 * int64 offsets into FILE.data, UTF-8; FILE.valid: a byte per row, 0 for null, only when a row is null; a
 * {@code string[]} value's items are separated by U+001F). Each file is mapped whole, so it must stay under 2 GiB;
 * the Python side writes a part per chunk of accounts and per partition of sessions.
 *
 * <p>Usage: {@code java ... linkage.localdb.ColumnImport NEO4J_HOME MANIFEST MAX_OFF_HEAP_MEMORY}; the store
 * of the database {@code neo4j} under NEO4J_HOME is replaced. Exit code 0 on success, 1 on failure (the store is
 * then removed, so the database starts empty: the caller only imports into an empty one).
 */
public final class ColumnImport {
    private static final String ARRAY_SEPARATOR = "\u001f";
    private static final int CHUNK_ROWS = 10_000;

    private ColumnImport() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ColumnImport NEO4J_HOME MANIFEST MAX_OFF_HEAP_MEMORY");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path manifest = Path.of(args[1]).toAbsolutePath();
        long offHeap = ByteUnit.parse(args[2]);
        try {
            List<Part> parts = Part.readManifest(manifest);
            importStore(home, parts, offHeap, System.out);
        } catch (Exception e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    static void importStore(Path home, List<Part> parts, long offHeap, PrintStream out) throws IOException {
        Config config = Config.newBuilder().set(GraphDatabaseSettings.neo4j_home, home).build();
        DatabaseLayout layout = Neo4jLayout.of(config).databaseLayout(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        try (DefaultFileSystemAbstraction fs = new DefaultFileSystemAbstraction();
                JobScheduler scheduler = JobSchedulerFactory.createInitialisedScheduler()) {
            deleteStore(fs, layout);
            Configuration importConfig = new Configuration.Overridden(Configuration.defaultConfiguration()) {
                @Override
                public long maxOffHeapMemory() {
                    return offHeap;
                }

                @Override
                public IndexConfig indexConfig() {
                    return IndexConfig.create().withLabelIndex().withRelationshipTypeIndex();
                }
            };
            StorageEngineFactory engine = StorageEngineFactory.selectStorageEngine(config);
            BatchImporter importer = engine.batchImporter(layout, fs, PageCacheTracer.NULL, importConfig,
                    NullLogService.getInstance(), out, false, DefaultAdditionalIds.EMPTY, config, Monitor.NO_MONITOR,
                    scheduler, Collector.STRICT, TransactionLogInitializer.getLogFilesInitializer(),
                    new IndexImporterFactoryImpl(), EmptyMemoryTracker.INSTANCE,
                    CursorContextFactory.NULL_CONTEXT_FACTORY);
            try {
                importer.doImport(new ColumnInput(parts));
            } catch (IOException | RuntimeException e) {
                deleteStore(fs, layout); // a half-written store would not start; an empty one does
                throw e;
            }
        }
    }

    private static void deleteStore(DefaultFileSystemAbstraction fs, DatabaseLayout layout) throws IOException {
        fs.deleteRecursively(layout.databaseDirectory(), path -> !path.equals(layout.databaseLockFile()));
        fs.deleteRecursively(layout.getTransactionLogsDirectory());
    }

    /** One file of nodes (one label) or relationships (one type), as typed columns. */
    static final class Part {
        final boolean nodes;
        final String name;
        final long rows;
        final List<Column> columns = new ArrayList<>();

        Part(boolean nodes, String name, long rows) {
            this.nodes = nodes;
            this.name = name;
            this.rows = rows;
        }

        static List<Part> readManifest(Path manifest) throws IOException {
            List<Part> parts = new ArrayList<>();
            Path folder = manifest.getParent();
            int number = 0;
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f[0].equals("part") && f.length == 4) {
                    parts.add(new Part(f[1].equals("nodes"), f[2], Long.parseLong(f[3])));
                } else if (f[0].equals("column") && f.length == 4 && !parts.isEmpty()) {
                    Part part = parts.get(parts.size() - 1);
                    part.columns.add(Column.open(f[1], f[2], folder.resolve(f[3]), part.rows));
                } else {
                    throw new IOException(manifest + ": line " + number + ": cannot read '" + line + "'");
                }
            }
            return parts;
        }

        long properties() {
            return columns.stream().filter(c -> c.role == Role.PROPERTY).mapToLong(c -> c.present).sum();
        }

        long propertyBytes() {
            return columns.stream().filter(c -> c.role == Role.PROPERTY).mapToLong(c -> c.bytes).sum();
        }
    }

    /** What a column holds: a node's id, a relationship's start or end, or a property. */
    enum Role {
        ID, START, END, PROPERTY;

        static Role of(String name) {
            return switch (name) {
                case ":id" -> ID;
                case ":start" -> START;
                case ":end" -> END;
                default -> PROPERTY;
            };
        }
    }

    /** How a column's values are stored. */
    enum Kind {
        LONG, DATETIME, BOOLEAN, STRING, STRING_ARRAY;

        static Kind of(String kind, Path file) throws IOException {
            return switch (kind) {
                case "long" -> LONG;
                case "datetime" -> DATETIME;
                case "boolean" -> BOOLEAN;
                case "string" -> STRING;
                case "string[]" -> STRING_ARRAY;
                default -> throw new IOException(file + ": unknown column kind " + kind);
            };
        }
    }

    /** One column of a part, memory-mapped; read concurrently by the importer's threads (absolute reads only). */
    static final class Column {
        final String name;
        final Role role;
        final Kind kind;
        final ByteBuffer values; // int64 values, or int64 offsets for strings
        final ByteBuffer data; // UTF-8 bytes of strings
        final ByteBuffer valid; // one byte per row, or null when every row has a value
        final long present;
        final long bytes;

        private Column(String name, Kind kind, ByteBuffer values, ByteBuffer data, ByteBuffer valid, long present,
                long bytes) {
            this.name = name;
            this.role = Role.of(name);
            this.kind = kind;
            this.values = values;
            this.data = data;
            this.valid = valid;
            this.present = present;
            this.bytes = bytes;
        }

        static Column open(String name, String kindName, Path file, long rows) throws IOException {
            Kind kind = Kind.of(kindName, file);
            switch (kind) {
                case LONG, DATETIME, BOOLEAN -> {
                    ByteBuffer values = map(file);
                    long width = kind == Kind.BOOLEAN ? 1 : 8;
                    check(file, values.capacity() == rows * width, rows);
                    long present = rows;
                    if (kind != Kind.BOOLEAN) {
                        present = 0;
                        for (int i = 0; i < rows; i++) {
                            present += values.getLong(i * 8) == Long.MIN_VALUE ? 0 : 1;
                        }
                    }
                    return new Column(name, kind, values, null, null, present, present * 8);
                }
                default -> {
                    ByteBuffer offsets = map(Path.of(file + ".offsets"));
                    ByteBuffer data = map(Path.of(file + ".data"));
                    check(file, offsets.capacity() == (rows + 1) * 8, rows);
                    Path validFile = Path.of(file + ".valid");
                    ByteBuffer valid = Files.exists(validFile) ? map(validFile) : null;
                    long present = rows;
                    if (valid != null) {
                        check(file, valid.capacity() == rows, rows);
                        present = 0;
                        for (int i = 0; i < rows; i++) {
                            present += valid.get(i);
                        }
                    }
                    return new Column(name, kind, offsets, data, valid, present, data.capacity());
                }
            }
        }

        private static void check(Path file, boolean sized, long rows) throws IOException {
            if (!sized) {
                throw new IOException(file + ": its size does not match " + rows + " rows");
            }
        }

        private static ByteBuffer map(Path file) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        long id(int row) {
            return values.getLong(row * 8);
        }

        /** The row's value as the object the importer stores, or null. */
        Object value(int row) {
            switch (kind) {
                case LONG -> {
                    long v = values.getLong(row * 8);
                    return v == Long.MIN_VALUE ? null : v;
                }
                case DATETIME -> {
                    long v = values.getLong(row * 8);
                    return v == Long.MIN_VALUE ? null
                            : DateTimeValue.datetime(Instant.ofEpochMilli(v).atZone(ZoneOffset.UTC));
                }
                case BOOLEAN -> {
                    return values.get(row) != 0;
                }
                default -> {
                    if (valid != null && valid.get(row) == 0) {
                        return null;
                    }
                    int start = (int) values.getLong(row * 8);
                    int end = (int) values.getLong(row * 8 + 8);
                    byte[] bytes = new byte[end - start];
                    data.get(start, bytes);
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    return kind == Kind.STRING ? text : text.split(ARRAY_SEPARATOR, -1);
                }
            }
        }
    }

    /** The parts as the importer's input: chunks of rows handed out to its threads in order. */
    static final class ColumnInput implements Input {
        private final List<Part> parts;
        private final Groups groups = new Groups();

        ColumnInput(List<Part> parts) {
            this.parts = parts;
        }

        @Override
        public InputIterable nodes(Collector badCollector) {
            return () -> new Chunks(parts.stream().filter(p -> p.nodes).toList());
        }

        @Override
        public InputIterable relationships(Collector badCollector) {
            return () -> new Chunks(parts.stream().filter(p -> !p.nodes).toList());
        }

        @Override
        public IdType idType() {
            return IdType.ACTUAL;
        }

        @Override
        public ReadableGroups groups() {
            return groups;
        }

        @Override
        public Estimates validateAndEstimate(PropertySizeCalculator sizes) {
            long nodes = 0, relationships = 0, nodeProperties = 0, relationshipProperties = 0;
            long nodeBytes = 0, relationshipBytes = 0, labels = 0;
            for (Part part : parts) {
                if (part.nodes) {
                    nodes += part.rows;
                    labels += part.rows;
                    nodeProperties += part.properties();
                    nodeBytes += part.propertyBytes();
                } else {
                    relationships += part.rows;
                    relationshipProperties += part.properties();
                    relationshipBytes += part.propertyBytes();
                }
            }
            return Input.knownEstimates(nodes, relationships, nodeProperties, relationshipProperties, nodeBytes,
                    relationshipBytes, labels);
        }
    }

    /** Hands out row ranges of the parts, one chunk per call, to whichever importer thread asks. */
    static final class Chunks implements InputIterator {
        private final List<Part> parts;
        private int part;
        private long next;

        Chunks(List<Part> parts) {
            this.parts = parts;
        }

        @Override
        public InputChunk newChunk() {
            return new Rows();
        }

        @Override
        public synchronized boolean next(InputChunk chunk) {
            while (part < parts.size() && next >= parts.get(part).rows) {
                part++;
                next = 0;
            }
            if (part == parts.size()) {
                return false;
            }
            Part current = parts.get(part);
            long end = Math.min(current.rows, next + CHUNK_ROWS);
            ((Rows) chunk).assign(current, (int) next, (int) end);
            next = end;
            return true;
        }

        @Override
        public void close() {}
    }

    /** A range of rows of one part, fed to the importer one entity at a time. */
    static final class Rows implements InputChunk {
        private Part part;
        private String[] labels;
        private int row;
        private int end;

        void assign(Part part, int start, int end) {
            this.part = part;
            this.labels = new String[] {part.name};
            this.row = start;
            this.end = end;
        }

        @Override
        public boolean next(InputEntityVisitor visitor) throws IOException {
            if (row >= end) {
                return false;
            }
            for (Column column : part.columns) {
                switch (column.role) {
                    case ID -> visitor.id(column.id(row));
                    case START -> visitor.startId(column.id(row));
                    case END -> visitor.endId(column.id(row));
                    case PROPERTY -> {
                        Object value = column.value(row);
                        if (value != null) {
                            visitor.property(column.name, value);
                        }
                    }
                }
            }
            if (part.nodes) {
                visitor.labels(labels);
            } else {
                visitor.type(part.name);
            }
            visitor.endOfEntity();
            row++;
            return true;
        }

        @Override
        public void close() {}
    }
}
