namespace DataHub.Host.Tests;
