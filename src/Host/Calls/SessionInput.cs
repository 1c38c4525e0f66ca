namespace DataHub.Host.Calls;

/// <summary>A call's <c>session: {tag, token}</c>: which of the instance's session tags, and the token to verify.</summary>
public sealed record SessionInput(string Tag, string Token);
