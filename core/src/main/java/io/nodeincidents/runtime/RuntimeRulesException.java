package io.nodeincidents.runtime;

/** A runtime rules file that cannot be used: the message names the file and the rule, for a one-line error. */
public final class RuntimeRulesException extends IllegalArgumentException {

    public RuntimeRulesException(String message) {
        super(message);
    }
}
