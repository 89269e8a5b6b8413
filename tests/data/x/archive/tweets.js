window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [ "1600000000000000001" ],
          "editableUntil" : "2024-05-02T09:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "transport", "indices" : [ "58", "68" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ { "url" : "https://t.co/abc", "expanded_url" : "https://example.org/surgery", "display_url" : "example.org/surgery", "indices" : [ "69", "92" ] } ]
      },
      "display_text_range" : [ "0", "92" ],
      "favorite_count" : "12",
      "id_str" : "1600000000000000001",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1600000000000000001",
      "created_at" : "Thu May 02 08:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Surgery at the library on Saturday, 10am. Come and talk #transport https://t.co/abc",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Sam", "screen_name" : "ResidentSam", "indices" : [ "0", "12" ], "id_str" : "1500000000000000002", "id" : "1500000000000000002" } ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "96" ],
      "favorite_count" : "1",
      "in_reply_to_status_id_str" : "1600000000000000010",
      "id_str" : "1600000000000000030",
      "in_reply_to_user_id" : "1500000000000000002",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000030",
      "in_reply_to_status_id" : "1600000000000000010",
      "created_at" : "Thu May 02 10:41:07 +0000 2024",
      "favorited" : false,
      "full_text" : "@ResidentSam The council says route 12 returns in June. I'll keep asking \"when exactly\" {and post here}.",
      "lang" : "en",
      "in_reply_to_screen_name" : "ResidentSam",
      "in_reply_to_user_id_str" : "1500000000000000002"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Town Library", "screen_name" : "TownLibrary", "indices" : [ "3", "15" ], "id_str" : "1500000000000000003", "id" : "1500000000000000003" } ],
        "urls" : [ ]
      },
      "display_text_range" : [ "0", "60" ],
      "favorite_count" : "0",
      "id_str" : "1600000000000000031",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000031",
      "created_at" : "Thu May 02 11:02:00 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @TownLibrary: Extended opening hours start this week \\o/",
      "lang" : "en"
    }
  }
]
