import Flows

extension FlowDesigner {
    /// Reads a definition from YAML or JSON text and lists every problem with its path; no
    /// server needed. A text that cannot be read at all gives its one reading error.
    public static func validate(text: String) -> (definition: FlowDefinition?, errors: [FlowValidationError]) {
        do {
            let definition = try FlowDefinition(parsing: text)
            return (definition, FlowValidator.validate(definition))
        } catch {
            return (nil, FlowDesignerError.unreadable(error).validationErrors)
        }
    }

    /// Reads a definition from text, refusing one that cannot be read (validation happens when
    /// it is saved, where every error is listed).
    public static func definition(parsing text: String) throws(FlowDesignerError) -> FlowDefinition {
        do { return try FlowDefinition(parsing: text) } catch { throw .unreadable(error) }
    }
}
