package io.brook.metadata;

import java.util.Objects;

/**
 * The identity written into a formatted metadata directory ({@code meta.properties}): which
 * cluster the directory belongs to and which node owns it. A node refuses to start on a
 * directory of another cluster or another node, so that a copied or mis-mounted directory cannot
 * silently join the wrong quorum.
 *
 * @param version   format version of the file; currently {@link #CURRENT_VERSION}
 * @param clusterId the cluster id, 22 characters of URL-safe base64 (see {@link StorageFormatter#randomClusterId})
 * @param nodeId    the node id this directory belongs to
 */
public record MetaProperties(int version, String clusterId, int nodeId) {
    public static final int CURRENT_VERSION = 1;
    public static final String FILE_NAME = "meta.properties";

    public MetaProperties {
        Objects.requireNonNull(clusterId, "clusterId");
    }
}
