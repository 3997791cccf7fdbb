package io.contactaudit.rule;

import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The bounds on one securityContacts response body, wherever it enters: {@code check} (a file or standard
 * input), the collector (an HTTP response) and the normaliser (a snapshot's raw pages). A real body is a
 * few KB; everything past these limits is an ERROR with its reason, read no further than the limit.
 */
public final class ResponseBody {

    /** Largest body read, per page: 4 MiB. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    /** Most contacts in one list, all pages together. */
    public static final int MAX_CONTACTS = 1_000;
    /** Deepest nesting of arrays and objects (a contact's deepest value is at depth 5). */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Longest string value, in characters. */
    public static final int MAX_STRING_CHARS = 256 * 1024;
    /** Longest field name, in characters. */
    public static final int MAX_NAME_CHARS = 1_024;
    /** Longest number literal, in characters. */
    public static final int MAX_NUMBER_CHARS = 100;
    /** Most JSON tokens in one body (a contact has about 40). */
    public static final long MAX_TOKENS = 200_000;

    /** The parser limits, set explicitly rather than inherited from Jackson's defaults. */
    static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxDocumentLength(MAX_BYTES)
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(MAX_STRING_CHARS)
            .maxNameLength(MAX_NAME_CHARS)
            .maxNumberLength(MAX_NUMBER_CHARS)
            .maxTokenCount(MAX_TOKENS)
            .build();

    private ResponseBody() {}

    /** A body refused before parsing: too large, or not UTF-8. */
    public static final class Rejected extends IOException {
        private final ReasonCode code;

        Rejected(ReasonCode code, String message) {
            super(message);
            this.code = code;
        }

        /** BODY_TOO_LARGE or UNPARSEABLE_BODY. */
        public ReasonCode code() {
            return code;
        }
    }

    /** Reads at most {@link #MAX_BYTES} + 1 bytes: enough to tell a body that is too large, never more. */
    public static byte[] read(InputStream in) throws IOException {
        return in.readNBytes(MAX_BYTES + 1);
    }

    /** The body as text: refused when larger than {@link #MAX_BYTES} or not valid UTF-8. */
    public static String decode(byte[] bytes) throws Rejected {
        if (bytes.length > MAX_BYTES) {
            throw tooLarge();
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return utf8.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new Rejected(
                    ReasonCode.UNPARSEABLE_BODY,
                    "the response body is not valid UTF-8 (malformed byte sequence at or after byte offset "
                            + in.position() + ")");
        }
    }

    /** The refusal of a body larger than {@link #MAX_BYTES}. */
    public static Rejected tooLarge() {
        return new Rejected(
                ReasonCode.BODY_TOO_LARGE,
                "the response body is larger than " + MAX_BYTES
                        + " bytes (4 MiB), the most read; a securityContacts response is a few KB");
    }
}
