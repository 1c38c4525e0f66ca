namespace DataHub.Plugins;

/// <summary>Datahub's MessageStatus codes. Any code of 20 or more is an error.</summary>
public static class MessageStatus
{
    /// <summary>Not processed.</summary>
    public const int NotProcessed = 0;
    /// <summary>Processed successfully.</summary>
    public const int Processed = 10;
    /// <summary>General error; the catch-all.</summary>
    public const int GeneralError = 20;
    /// <summary>Message not found.</summary>
    public const int MessageNotFound = 21;
    /// <summary>Message invalid: it failed validation.</summary>
    public const int MessageInvalid = 22;
    /// <summary>System not found.</summary>
    public const int SystemNotFound = 23;
    /// <summary>Entity not found.</summary>
    public const int EntityNotFound = 24;
    /// <summary>Data invalid.</summary>
    public const int DataInvalid = 25;
    /// <summary>Timed out.</summary>
    public const int ReprocessTimeout = 26;

    /// <summary>True for the codes that mean failure.</summary>
    public static bool IsError(int status) => status >= GeneralError;
}
