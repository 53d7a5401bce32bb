/// RFC 4180 records: fields separated by commas, records by LF or CRLF, a field in double
/// quotes may hold commas, quotes ("") and line breaks. Each record keeps the line it starts on.
enum CSVRecords {
    static func split(_ text: String) -> Result<[(line: Int, fields: [String])], RegistryFile.Problem> {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field = "", quoted = false, afterQuote = false
        var line = 1, recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            records.append((recordLine, fields))
            (fields, field, afterQuote) = ([], "", false)
        }
        while let scalar = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = scalars.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { (quoted, afterQuote, pending) = (false, true, next) }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field)
                (field, afterQuote) = ("", false)
            case "\r":
                let next = scalars.next()
                guard next == "\n" else {
                    return .failure(.init(line: line, message: "a carriage return without a line feed: save the file with LF or CRLF line ends"))
                }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.trimmingASCIISpaces.isEmpty && !afterQuote:
                // Spaces before an opening quote are padding (`a, "b,c"`).
                (quoted, field) = (true, "")
            case " " where afterQuote, "\t" where afterQuote:
                break  // padding after a closing quote
            default:
                guard !afterQuote else {
                    return .failure(.init(line: line, message: "text after a closing double quote; a quote inside a quoted field is written \"\""))
                }
                if scalar == "\"" {
                    return .failure(.init(line: line, message: "a double quote inside an unquoted field; put the field in double quotes and write the quote \"\""))
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { return .failure(.init(line: recordLine, message: "a double quote opened here is never closed")) }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRecord() }
        return .success(records)
    }
}
