window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "jane.doe@example.org",
      "createdVia" : "web",
      "username" : "CllrJaneDoe",
      "accountId" : "1500000000000000001",
      "createdAt" : "2022-01-03T09:00:00.000Z",
      "accountDisplayName" : "Jane Doe"
    }
  }
]
