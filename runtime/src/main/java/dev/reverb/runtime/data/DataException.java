package dev.reverb.runtime.data;

/** A dataset that cannot be fetched or pinned; the message is one sentence naming the file or address. */
public final class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
