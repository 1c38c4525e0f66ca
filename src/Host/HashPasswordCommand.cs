using System.Text;
using DataHub.Host.Auth;

namespace DataHub.Host;

/// <summary>
/// The hash-password verb: reads a password (the first line of standard input, or typed without echo at a
/// terminal) and prints its hash for a users file, e.g. <c>"alice": {"hash": "&lt;printed&gt;", "roles": ["reader"]}</c>.
/// </summary>
public static class HashPasswordCommand
{
    /// <summary>Runs on the console: hidden typing at a terminal, the first line of a pipe otherwise.</summary>
    public static int RunOnConsole() =>
        Console.IsInputRedirected
            ? Run(Console.In, Console.Out, Console.Error)
            : Run(new StringReader(ReadHidden()), Console.Out, Console.Error);

    public static int Run(TextReader input, TextWriter output, TextWriter errors)
    {
        var password = input.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            errors.WriteLine("hash-password: no password on standard input (give it as the first line).");
            return 1;
        }
        output.WriteLine(PasswordHash.Create(password).ToString());
        return 0;
    }

    private static string ReadHidden()
    {
        Console.Error.Write("Password: ");
        var password = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return password.ToString();
    }
}
