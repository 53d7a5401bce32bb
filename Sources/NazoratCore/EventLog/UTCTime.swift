/// UTC times as RFC 3339 text, from microseconds since the Unix epoch, without Foundation's
/// formatters: an export of a year-long log formats a million of them.
public enum UTCTime {
    private static let microsecondsPerDay: Int64 = 86_400_000_000

    /// `2026-11-29T22:49:03.123456Z`: every digit of the stored time, so that it can be
    /// turned back into the microseconds the event log hashed.
    public static func rfc3339(microseconds: Int64) -> String {
        let (days, inDay) = floorDivision(microseconds, microsecondsPerDay)
        let seconds = inDay / 1_000_000
        return date(days: days) + "T" + digits(seconds / 3600, 2) + ":" + digits(seconds / 60 % 60, 2) + ":"
            + digits(seconds % 60, 2) + "." + digits(inDay % 1_000_000, 6) + "Z"
    }

    /// `2026-11-29`: the UTC date of `microseconds`.
    public static func date(microseconds: Int64) -> String {
        date(days: floorDivision(microseconds, microsecondsPerDay).quotient)
    }

    /// The civil date of a day count since 1970-01-01, in the proleptic Gregorian calendar
    /// (days are shifted to start the year on 1 March, so that the leap day ends it; eras
    /// are the calendar's 400-year cycles of 146,097 days).
    private static func date(days: Int64) -> String {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
