package policyconv_test

import (
	"fmt"

	"github.com/oktaemu/oktaemu/emulator/policyconv"
)

func ExampleConvert() {
	classic := []byte(`{"type":"MFA_ENROLL","name":"Legacy","settings":{"factors":{
	  "okta_sms":{"enroll":{"self":"REQUIRED"},"consent":{"type":"NONE"}},
	  "okta_otp":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}}`)
	out, err := policyconv.Convert(classic, policyconv.SchemaAuthenticators, policyconv.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))

	_, err = policyconv.Convert([]byte(`{"factors":{"rsa_token":{"enroll":{"self":"REQUIRED"}}}}`), policyconv.SchemaNone, policyconv.Options{})
	fmt.Println(err)
	// Output:
	// {
	//   "name": "Legacy",
	//   "settings": {
	//     "authenticators": [
	//       {
	//         "enroll": {
	//           "self": "REQUIRED"
	//         },
	//         "key": "phone_number"
	//       },
	//       {
	//         "enroll": {
	//           "self": "OPTIONAL"
	//         },
	//         "key": "okta_verify"
	//       }
	//     ],
	//     "type": "AUTHENTICATORS"
	//   },
	//   "type": "MFA_ENROLL"
	// }
	// factor rsa_token has no authenticator
}
