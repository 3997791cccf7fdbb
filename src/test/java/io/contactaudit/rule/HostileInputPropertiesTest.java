package io.contactaudit.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Properties of the rule over mutated real bodies ({@link Mutations}), judged against an independent reading of
 * RULE.md ({@link JsonOracle}). Each property runs {@value #TRIES} generated cases from a fixed seed, so a failure
 * is reproducible: the message names the seed, the try and the mutations. {@code -Dhostile.seed=N} runs other
 * cases, {@code -Dhostile.tries=N} more or fewer.
 */
class HostileInputPropertiesTest {

    static final int TRIES = 3_000;
    static final long SEED = Long.getLong("hostile.seed", 20_260_301L);
    static final int RUN = Integer.getInteger("hostile.tries", TRIES);

    static final Set<ReasonCode> ERRORS = EnumSet.of(
            ReasonCode.UNPARSEABLE_BODY,
            ReasonCode.BODY_TOO_LARGE,
            ReasonCode.ARM_ERROR,
            ReasonCode.UNEXPECTED_SHAPE,
            ReasonCode.CONTACT_UNEVALUABLE,
            ReasonCode.INCOMPLETE_LIST);

    /** A generated input, what the oracle says of it, and how to show it. */
    record Input(Object body, List<String> log, String shown) {}

    /** Runs {@code property} on {@link #RUN} inputs; a failure names the seed, the try and the input. */
    static void forAll(String name, Function<Random, Input> generate, java.util.function.Consumer<Input> property) {
        for (int t = 0; t < RUN; t++) {
            long seed = SEED * 1_000_003L + t;
            Input input = generate.apply(new Random(seed));
            try {
                property.accept(input);
            } catch (Throwable failure) {
                throw new AssertionError(
                        "property '" + name + "' falsified at try " + t + " of seed " + SEED
                                + " (rerun: -Dhostile.seed=" + SEED + "); mutations " + input.log() + "; body: "
                                + input.shown(),
                        failure);
            }
        }
    }

    static Input text(Random random) {
        Mutations.Case c = Mutations.next(random);
        return new Input(c.body(), c.log(), abbreviate(Mutations.escape(c.body())));
    }

    static Input bytes(Random random) {
        Mutations.Bytes b = Mutations.nextBytes(random);
        return new Input(
                b.body(), b.log(), abbreviate(Mutations.escape(new String(b.body(), StandardCharsets.ISO_8859_1))));
    }

    static Input pages(Random random) {
        List<String> pages = new ArrayList<>();
        List<String> log = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            Mutations.Case c = Mutations.next(random);
            pages.add(c.body());
            log.add("page " + pages.size() + ": " + c.log());
        }
        return new Input(pages, log, abbreviate(Mutations.escape(String.join(" <page> ", pages))));
    }

    static String abbreviate(String text) {
        return text.length() <= 4_000 ? text : text.substring(0, 4_000) + "...";
    }

    /** The oracle on bytes: what is not UTF-8 holds no qualifying contact. */
    static boolean qualifies(byte[] body, Set<String> accepted) {
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
            return JsonOracle.qualifies(text, accepted);
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Every result is explained: a verdict, reasons, and for ERROR at least one ERROR reason. */
    static void wellFormed(RuleResult result) {
        assertThat(result).isNotNull();
        assertThat(result.verdict()).isNotNull();
        assertThat(result.reasons()).as("reasons").isNotEmpty();
        assertThat(result.reasons()).extracting(Reason::getMessage).doesNotContainNull();
        if (result.verdict() == Verdict.ERROR) {
            assertThat(result.reasonCodes())
                    .as("an ERROR says why")
                    .anyMatch(code -> ERRORS.contains(ReasonCode.valueOf(code)));
        }
        if (result.verdict() == Verdict.PASS) {
            assertThat(result.reasonCodes()).contains(ReasonCode.ALERT_EMAILS_ENABLED.name());
        }
    }

    /** The rule and the oracle agree on PASS, except where a documented limit makes the body an ERROR. */
    static void agrees(RuleResult result, boolean qualifies) {
        wellFormed(result);
        if (!qualifies) {
            assertThat(result.verdict())
                    .as("no contact qualifies, so the rule must not PASS; reasons " + result.reasons())
                    .isNotEqualTo(Verdict.PASS);
        } else if (!result.reasonCodes().contains(ReasonCode.BODY_TOO_LARGE.name())) {
            assertThat(result.verdict())
                    .as("a contact qualifies; reasons " + result.reasons())
                    .isEqualTo(Verdict.PASS);
        }
    }

    @Test
    void textNeverPassesWithoutAQualifyingContactAndNeverThrows() {
        forAll(
                "text, default profile",
                HostileInputPropertiesTest::text,
                in -> agrees(
                        HighSeverityAlertEmailRule.evaluate((String) in.body(), Profile.DEFAULT),
                        JsonOracle.qualifies((String) in.body(), JsonOracle.DEFAULT)));
    }

    @Test
    void strictProfileNeverPassesBelowHigh() {
        forAll(
                "text, strict profile",
                HostileInputPropertiesTest::text,
                in -> agrees(
                        HighSeverityAlertEmailRule.evaluate((String) in.body(), Profile.STRICT),
                        JsonOracle.qualifies((String) in.body(), JsonOracle.STRICT)));
    }

    @Test
    void bytesNeverPassWithoutAQualifyingContactAndNeverThrow() {
        forAll(
                "bytes, default profile",
                HostileInputPropertiesTest::bytes,
                in -> agrees(
                        HighSeverityAlertEmailRule.evaluate((byte[]) in.body(), Profile.DEFAULT),
                        qualifies((byte[]) in.body(), JsonOracle.DEFAULT)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pagesPassOnlyWhenSomePageHoldsAQualifyingContact() {
        forAll("pages, default profile", HostileInputPropertiesTest::pages, in -> {
            List<String> pages = (List<String>) in.body();
            RuleResult result =
                    HighSeverityAlertEmailRule.evaluate(SecurityContactsNormalizer.parse(pages), Profile.DEFAULT);
            wellFormed(result);
            if (pages.stream().noneMatch(p -> JsonOracle.qualifies(p, JsonOracle.DEFAULT))) {
                assertThat(result.verdict()).as("reasons " + result.reasons()).isNotEqualTo(Verdict.PASS);
            }
        });
    }

    @Test
    void theOracleTellsTheSeedsApart() {
        // the oracle is worth something only if it says yes and no where RULE.md does
        assertThat(Mutations.SEEDS)
                .extracting(s -> JsonOracle.qualifies(s, JsonOracle.DEFAULT))
                .containsExactly(true, false, true, true, true, true, true, true, false);
        assertThat(Mutations.SEEDS)
                .extracting(s -> JsonOracle.qualifies(s, JsonOracle.STRICT))
                .containsExactly(true, false, false, true, false, false, true, true, false);
        assertThat(JsonOracle.qualifies(
                        "[{\"properties\":{\"alertNotifications\":\"on\",\"alertNotifications\":\"Off\"}}]",
                        JsonOracle.DEFAULT))
                .as("a repeated name is ambiguous")
                .isFalse();
        assertThat(JsonOracle.qualifies(
                        "[{\"properties\":{\"isEnabled\":\"FALSE\",\"alertNotifications\":\"On\"}}]",
                        JsonOracle.DEFAULT))
                .isFalse();
        assertThat(JsonOracle.qualifies(
                        "[{\"properties\":{\"alertNotifications\":{\"state\":\"on\",\"minimalSeverity\":\"H\u0131gh\"}}}]",
                        JsonOracle.DEFAULT))
                .as("a look-alike letter is not High")
                .isFalse();
    }
}
