namespace DataHub.Host.Servlet;

/// <summary>
/// Gives the one error shape to an error status the framework answered without a body: no route (404), a method
/// the route does not take (405), and the like. Does what UseStatusCodePages does, without its per-request
/// feature and without an await when the rest of the pipeline completed synchronously.
/// </summary>
public static class BodilessErrors
{
    public static IApplicationBuilder UseErrorShapeForBodilessErrors(this IApplicationBuilder app) =>
        app.Use(next => http =>
        {
            var rest = next(http);
            if (!rest.IsCompletedSuccessfully)
            {
                return AfterAsync(rest, http);
            }
            WriteIfBodiless(http);
            return Task.CompletedTask;
        });

    private static async Task AfterAsync(Task rest, HttpContext http)
    {
        await rest;
        WriteIfBodiless(http);
    }

    private static void WriteIfBodiless(HttpContext http)
    {
        var response = http.Response;
        if (response is { HasStarted: false, StatusCode: >= 400 and < 600, ContentLength: null } && string.IsNullOrEmpty(response.ContentType))
        {
            JsonOutput.WriteError(http, HostError.ForStatusCode(response.StatusCode, http.Request.Path));
        }
    }
}
