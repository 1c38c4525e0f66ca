namespace DataHub.Plugins.ExecuteSql;

/// <summary>Which of the call's inputs supplies a parameter's value.</summary>
internal enum ParameterSource
{
    /// <summary>The call's data (a plain <c>reference</c>).</summary>
    Data,

    /// <summary>The call's filter (<c>filter.&lt;field&gt;</c>).</summary>
    Filter,

    /// <summary>The claims of the call's verified session (<c>session.&lt;claim&gt;</c>).</summary>
    Session,
}

/// <summary>
/// Splits a parameter's <c>reference</c>: <c>name</c> reads the data, <c>filter.name</c> the filter and
/// <c>session.name</c> the session, so one statement can take its values from several inputs.
/// </summary>
internal static class ParameterReference
{
    private const string FilterPrefix = "filter.";
    private const string SessionPrefix = "session.";

    /// <summary>The source and the field a reference names; the field is empty when the prefix has nothing after it.</summary>
    public static (ParameterSource Source, string Field) Split(string reference) =>
        reference.StartsWith(FilterPrefix, StringComparison.Ordinal) ? (ParameterSource.Filter, reference[FilterPrefix.Length..])
        : reference.StartsWith(SessionPrefix, StringComparison.Ordinal) ? (ParameterSource.Session, reference[SessionPrefix.Length..])
        : (ParameterSource.Data, reference);
}
