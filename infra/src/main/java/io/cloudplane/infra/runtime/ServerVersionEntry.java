package io.cloudplane.infra.runtime;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;

/** {@code cloudplane.server-versions[i]}: version, command (local runtime), image (Kubernetes). */
@EachProperty(value = "cloudplane.server-versions", list = true)
public class ServerVersionEntry {
    private final int index;
    private String version;
    private String command;
    private String image;

    public ServerVersionEntry(@Parameter Integer index) {
        this.index = index;
    }

    public int getIndex() {
        return index;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getCommand() {
        return command;
    }

    public void setCommand(String command) {
        this.command = command;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }
}
