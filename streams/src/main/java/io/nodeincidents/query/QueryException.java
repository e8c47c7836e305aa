package io.nodeincidents.query;

/**
 * A query the API cannot answer, with the HTTP status that says why: 400 for bad parameters, 404 for unknown ids,
 * 502 when another instance failed to answer a forwarded request, 503 while the stores are not queryable
 * (starting, rebalancing).
 */
public final class QueryException extends RuntimeException {

    private final int status;

    public QueryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public QueryException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static QueryException badRequest(String message) {
        return new QueryException(400, message);
    }

    static QueryException unavailable(String message) {
        return new QueryException(503, message);
    }
}
