package io.contactaudit.rule;

/**
 * A value as it was seen in a response body: where ({@code path}, a JSON path such as
 * {@code $.value[0].properties.isEnabled}) and what ({@code json}, its JSON text; null when absent).
 */
public record Seen(String path, String json) {}
