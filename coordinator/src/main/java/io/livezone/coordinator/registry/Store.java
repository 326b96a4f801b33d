package io.livezone.coordinator.registry;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.core.EnvironmentException;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.core.image.ZoneImage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The coordinator's durable state in an embedded H2 database: sites and links, hosts, zones and
 * their placement, plans and the state of every move. Every change is written before it is acted
 * on, so a restarted coordinator resumes from what it last knew and reconciles with the agents.
 */
public final class Store implements AutoCloseable {
    private final Connection db;
    private final boolean durable;

    /** What a store failure does first (by default nothing: the caller gets the exception). */
    private volatile Consumer<EnvironmentException> onStoreFailure = e -> {};

    private Store(Connection db, boolean durable) {
        this.db = db;
        this.durable = durable;
    }

    /**
     * Opens (creating if needed) the database at {@code file} (without H2's .mv.db suffix). Every
     * write is on disk when its method returns: H2 otherwise keeps commits in memory for up to 500
     * ms (its WRITE_DELAY) and leaves flushing to the OS, so an acknowledged plan or commit could
     * vanish with a SIGKILL or a power loss.
     */
    public static Store open(Path file) {
        return open(
                "jdbc:h2:file:" + file.toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
                true);
    }

    /** An in-memory store (tests and the planner-only mode). */
    public static Store inMemory() {
        return open("jdbc:h2:mem:lz" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", false);
    }

    private static Store open(String url, boolean durable) {
        try {
            Connection c = DriverManager.getConnection(url, "sa", "");
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS sites (name VARCHAR(32) PRIMARY KEY)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS links (site_a VARCHAR(32), site_b VARCHAR(32),"
                                + " latency_ms BIGINT, jitter_ms BIGINT, bytes_per_sec BIGINT,"
                                + " PRIMARY KEY (site_a, site_b))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS hosts (name VARCHAR(32) PRIMARY KEY, site"
                                + " VARCHAR(32) NOT NULL, memory_bytes BIGINT, nic_bytes_per_sec"
                                + " BIGINT, url VARCHAR(128))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS zones (name VARCHAR(32) PRIMARY KEY, host"
                                + " VARCHAR(32), state VARCHAR(16), definition VARCHAR(2048))");
                // A database from before zones had a reason gets the column.
                s.execute("ALTER TABLE zones ADD COLUMN IF NOT EXISTS reason VARCHAR(2048)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS plans (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                                + " algorithm VARCHAR(32), state VARCHAR(16), settings"
                                + " VARCHAR(1024), timeout_s BIGINT, created BIGINT, finished"
                                + " BIGINT)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS moves (plan_id BIGINT, seq INT, zone"
                            + " VARCHAR(32), record VARCHAR(4096), PRIMARY KEY (plan_id, seq))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS images (name VARCHAR(32) PRIMARY KEY, record"
                                + " VARCHAR(1024))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS zone_images (name VARCHAR(32) PRIMARY KEY,"
                                + " record VARCHAR(16384))");
                // A zone that boots an image names it and its ports in its definition.
                s.execute("ALTER TABLE zones ALTER COLUMN definition SET DATA TYPE VARCHAR(8192)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS image_sites (name VARCHAR(32), site"
                                + " VARCHAR(32), PRIMARY KEY (name, site))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS transfers (id BIGINT AUTO_INCREMENT PRIMARY"
                                + " KEY, record VARCHAR(2048))");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS zone_failures (id BIGINT AUTO_INCREMENT"
                                + " PRIMARY KEY, zone VARCHAR(32), record VARCHAR(16384))");
            }
            return new Store(c, durable);
        } catch (SQLException e) {
            throw new EnvironmentException(
                    "cannot open the coordinator database: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code action} when the database itself fails (disk full, I/O error, the database
     * closed) on a write, or on a read once it broke, before the exception is thrown. A coordinator
     * makes that fatal: it must not act on an intent it could not store, so it stops, and its
     * restart settles every move from what the hosts' QEMU processes report. Errors about the data
     * (a constraint, a malformed statement) only throw.
     */
    public void onStoreFailure(Consumer<EnvironmentException> action) {
        this.onStoreFailure = java.util.Objects.requireNonNull(action);
    }

    public synchronized void putSite(String name) {
        update("MERGE INTO sites KEY (name) VALUES (?)", name);
    }

    public synchronized List<String> sites() {
        return query("SELECT name FROM sites ORDER BY name", r -> r.getString(1));
    }

    public synchronized void putLink(SiteLink l) {
        // A link is symmetric: the same two sites named the other way round are this link too.
        update("DELETE FROM links WHERE site_a = ? AND site_b = ?", l.siteB(), l.siteA());
        update(
                "MERGE INTO links KEY (site_a, site_b) VALUES (?, ?, ?, ?, ?)",
                l.siteA(),
                l.siteB(),
                l.settings().latencyMs(),
                l.settings().jitterMs(),
                l.settings().bytesPerSec());
    }

    public synchronized List<SiteLink> links() {
        return query(
                "SELECT site_a, site_b, latency_ms, jitter_ms, bytes_per_sec FROM links",
                r ->
                        new SiteLink(
                                r.getString(1),
                                r.getString(2),
                                new LinkSettings(r.getLong(3), r.getLong(4), r.getLong(5))));
    }

    public synchronized void putHost(HostRecord h) {
        update(
                "MERGE INTO hosts KEY (name) VALUES (?, ?, ?, ?, ?)",
                h.name(),
                h.site(),
                h.memoryBytes(),
                h.nicBytesPerSec(),
                h.url());
    }

    /** Hosts as last stored; liveness is not persisted (it is re-learnt from heartbeats). */
    public synchronized List<HostRecord> hosts() {
        return query(
                "SELECT name, site, memory_bytes, nic_bytes_per_sec, url FROM hosts ORDER BY name",
                r ->
                        new HostRecord(
                                r.getString(1),
                                r.getString(2),
                                r.getLong(3),
                                r.getLong(4),
                                r.getString(5),
                                HostRecord.HostState.UNKNOWN,
                                0,
                                null));
    }

    public synchronized void putZone(ZoneRecord z) {
        update(
                "MERGE INTO zones KEY (name) VALUES (?, ?, ?, ?, ?)",
                z.name(),
                z.host(),
                z.state().name(),
                json(z.definition()),
                z.reason() == null || z.reason().length() <= 2000
                        ? z.reason()
                        : z.reason().substring(0, 1999) + "…");
    }

    public synchronized void deleteZone(String name) {
        update("DELETE FROM zones WHERE name = ?", name);
    }

    public synchronized List<ZoneRecord> zones() {
        return query(
                "SELECT definition, host, state, reason FROM zones ORDER BY name",
                r ->
                        new ZoneRecord(
                                fromJson(r.getString(1), ZoneDefinition.class),
                                r.getString(2),
                                ZoneRecord.ZoneLifecycle.valueOf(r.getString(3)),
                                r.getString(4)));
    }

    public synchronized void putImage(BaseImageRecord image) {
        update("MERGE INTO images KEY (name) VALUES (?, ?)", image.name(), json(image));
    }

    public synchronized List<BaseImageRecord> images() {
        return query(
                "SELECT record FROM images ORDER BY name",
                r -> fromJson(r.getString(1), BaseImageRecord.class));
    }

    /** Forgets a base image and which sites cache it. */
    public synchronized void removeImage(String name) {
        update("DELETE FROM image_sites WHERE name = ?", name);
        update("DELETE FROM images WHERE name = ?", name);
    }

    public synchronized void putZoneImage(ZoneImage image) {
        update("MERGE INTO zone_images KEY (name) VALUES (?, ?)", image.name(), json(image));
    }

    public synchronized void removeZoneImage(String name) {
        update("DELETE FROM zone_images WHERE name = ?", name);
    }

    public synchronized List<ZoneImage> zoneImages() {
        return query(
                "SELECT record FROM zone_images ORDER BY name",
                r -> fromJson(r.getString(1), ZoneImage.class));
    }

    public synchronized void putImageSite(String image, String site) {
        update("MERGE INTO image_sites KEY (name, site) VALUES (?, ?)", image, site);
    }

    /** Pairs {image, site}: which sites cache which base images. */
    public synchronized List<String[]> imageSites() {
        return query(
                "SELECT name, site FROM image_sites ORDER BY name, site",
                r -> new String[] {r.getString(1), r.getString(2)});
    }

    /** Stores a transfer and returns it with its id. */
    public synchronized StorageTransferRecord insertTransfer(StorageTransferRecord t) {
        try (PreparedStatement s =
                db.prepareStatement(
                        "INSERT INTO transfers (record) VALUES (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            bind(s, json(t));
            s.executeUpdate();
            long id;
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            StorageTransferRecord stored = t.withId(id);
            update("UPDATE transfers SET record = ? WHERE id = ?", json(stored), id);
            return stored;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public synchronized List<StorageTransferRecord> transfers() {
        return query(
                "SELECT record FROM transfers ORDER BY id",
                r -> fromJson(r.getString(1), StorageTransferRecord.class));
    }

    /** Stores a zone's failure and returns it with its id. */
    public synchronized FailureRecord insertFailure(FailureRecord f) {
        try (PreparedStatement s =
                db.prepareStatement(
                        "INSERT INTO zone_failures (zone, record) VALUES (?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            bind(s, f.zone(), json(f));
            s.executeUpdate();
            long id;
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            FailureRecord stored = f.withId(id);
            update("UPDATE zone_failures SET record = ? WHERE id = ?", json(stored), id);
            return stored;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public synchronized void putFailure(FailureRecord f) {
        update("UPDATE zone_failures SET record = ? WHERE id = ?", json(f), f.id());
    }

    public synchronized void deleteFailures(String zone) {
        update("DELETE FROM zone_failures WHERE zone = ?", zone);
    }

    public synchronized List<FailureRecord> failures() {
        return query(
                "SELECT record FROM zone_failures ORDER BY id",
                r -> fromJson(r.getString(1), FailureRecord.class));
    }

    /** Stores a new plan with all its moves, or nothing, and returns it with its id. */
    public synchronized PlanRecord insertPlan(PlanRecord p) {
        try {
            db.setAutoCommit(false);
            try (PreparedStatement s =
                    db.prepareStatement(
                            "INSERT INTO plans (algorithm, state, settings, timeout_s, created,"
                                    + " finished) VALUES (?, ?, ?, ?, ?, ?)",
                            Statement.RETURN_GENERATED_KEYS)) {
                bind(
                        s,
                        p.algorithm(),
                        p.state().name(),
                        json(p.settings()),
                        p.timeoutSeconds(),
                        p.createdMillis(),
                        p.finishedMillis());
                s.executeUpdate();
                long id;
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
                try (PreparedStatement m =
                        db.prepareStatement(
                                "MERGE INTO moves KEY (plan_id, seq) VALUES (?, ?, ?, ?)")) {
                    for (int i = 0; i < p.moves().size(); i++) {
                        bind(m, id, i, p.moves().get(i).zone(), json(p.moves().get(i)));
                        m.executeUpdate();
                    }
                }
                db.commit();
                sync();
                return new PlanRecord(
                        id,
                        p.algorithm(),
                        p.state(),
                        p.settings(),
                        p.timeoutSeconds(),
                        p.createdMillis(),
                        p.finishedMillis(),
                        p.moves());
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public synchronized void putPlanState(long id, PlanRecord.PlanState state, long finished) {
        update("UPDATE plans SET state = ?, finished = ? WHERE id = ?", state.name(), finished, id);
    }

    public synchronized void putMove(long planId, int seq, MoveRecord m) {
        update(
                "MERGE INTO moves KEY (plan_id, seq) VALUES (?, ?, ?, ?)",
                planId,
                seq,
                m.zone(),
                json(m));
    }

    public synchronized List<PlanRecord> plans() {
        List<PlanRecord> plans =
                query(
                        "SELECT id, algorithm, state, settings, timeout_s, created, finished FROM"
                                + " plans ORDER BY id",
                        r ->
                                new PlanRecord(
                                        r.getLong(1),
                                        r.getString(2),
                                        PlanRecord.PlanState.valueOf(r.getString(3)),
                                        fromJson(r.getString(4), MigrationSettings.class),
                                        r.getLong(5),
                                        r.getLong(6),
                                        r.getLong(7),
                                        List.of()));
        List<PlanRecord> out = new ArrayList<>();
        for (PlanRecord p : plans) {
            List<MoveRecord> moves =
                    query(
                            "SELECT record FROM moves WHERE plan_id = " + p.id() + " ORDER BY seq",
                            r -> fromJson(r.getString(1), MoveRecord.class));
            out.add(
                    new PlanRecord(
                            p.id(),
                            p.algorithm(),
                            p.state(),
                            p.settings(),
                            p.timeoutSeconds(),
                            p.createdMillis(),
                            p.finishedMillis(),
                            moves));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing on shutdown: nothing left to protect
        }
    }

    private interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row) {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<T> out = new ArrayList<>();
            while (r.next()) {
                out.add(row.map(r));
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private void update(String sql, Object... args) {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            bind(s, args);
            s.executeUpdate();
            sync();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Forces what was committed onto the device (fsync), for a file store. */
    private void sync() throws SQLException {
        if (durable) {
            try (Statement s = db.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            }
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }

    private static String json(Object o) {
        try {
            return JsonHttpServer.JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T fromJson(String s, Class<T> type) {
        try {
            return JsonHttpServer.JSON.readValue(s, type);
        } catch (JsonProcessingException e) {
            throw new EnvironmentException(
                    "corrupt coordinator database entry: " + e.getMessage(), e);
        }
    }

    private EnvironmentException failure(SQLException e) {
        EnvironmentException failure =
                new EnvironmentException("coordinator database error: " + e.getMessage(), e);
        if (storeFailed(e)) {
            onStoreFailure.accept(failure);
        }
        return failure;
    }

    /**
     * True unless the error is about the data or the statement (SQL states 22: data, 23: integrity,
     * 42: syntax or access): then the store still works and nothing was written.
     */
    static boolean storeFailed(SQLException e) {
        String state = e.getSQLState();
        return state == null
                || !(state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
    }
}
