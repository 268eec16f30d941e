package dev.reverb.environments;

/**
 * A dataset that cannot be used as a whole: it holds no task (empty, or every line bad), or its
 * header is not the format's. The message is one sentence naming the file; lines that are merely
 * bad are never this, they are counted in the {@link DatasetReport}.
 */
public final class DatasetException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }
}
