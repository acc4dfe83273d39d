package io.cloudplane.infra.team;

import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The members of an environment as its members list shows them, in one query: the app's owner and
 * developers (every environment's), then the environment's own end users, each with their name and
 * email.
 */
@Singleton
public class TeamDirectory {
    private static final String QUERY = """
            SELECT u.id, u.first_name, u.last_name, u.email, m.profile, m.role, m.since, 0 AS o
              FROM app_members m JOIN users u ON u.id = m.user_id WHERE m.app_id = ?
            UNION ALL
            SELECT u.id, u.first_name, u.last_name, u.email, e.profile, NULL, e.since, 1 AS o
              FROM environment_users e JOIN users u ON u.id = e.user_id WHERE e.env_id = ?
             ORDER BY o, since, id""";
    private final DataSource dataSource;

    public TeamDirectory(@Named("default") DataSource dataSource) {
        // a connection of the pool's own for this one read, as VisibleApps takes one
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
    }

    public List<TeamMember> members(UUID appId, UUID envId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(QUERY)) {
            statement.setObject(1, appId);
            statement.setObject(2, envId);
            List<TeamMember> members = new ArrayList<>();
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    members.add(new TeamMember(r.getObject(1, UUID.class), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getObject(7, OffsetDateTime.class).toInstant()));
                }
            }
            return members;
        } catch (SQLException e) {
            throw new DataAccessException("Could not read the members of environment " + envId + ": " + e.getMessage(), e);
        }
    }
}
