package dev.reverb.runtime.cluster;

/**
 * Marks the messages that cross cluster nodes: {@code reference.conf} binds it to Akka's Jackson
 * JSON serializer ({@code reverb.cluster.akka.actor.serialization-bindings}).
 */
public interface JsonSerializable {
}
