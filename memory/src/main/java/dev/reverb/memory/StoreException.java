package dev.reverb.memory;

import java.io.IOException;

/**
 * A memory store that cannot be opened or used as asked, with a message that is one sentence naming
 * the store and the cause (a damaged file, a file where a folder should be, another embedding
 * model, a store opened read-only ...). Callers print the message as it is.
 */
public final class StoreException extends IOException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
